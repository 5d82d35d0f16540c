// DeleteResourcePolicy: removes the policy of a stream or consumer (by ARN).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDeleteResourcePolicy(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DeleteResourcePolicy>(body, reply);
  if (!input) return;
  auto resource = ResolveResource(context, *input->ResourceARN, reply);
  if (!resource) return;
  context.streams.DeleteResourcePolicy(*resource, ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
