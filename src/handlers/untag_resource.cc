// UntagResource: removes tags of a stream or consumer (by ARN).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleUntagResource(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UntagResource>(body, reply);
  if (!input) return;
  auto resource = ResolveResource(context, *input->ResourceARN, reply);
  if (!resource) return;
  context.streams.UntagResource(*resource, std::move(*input->TagKeys), ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
