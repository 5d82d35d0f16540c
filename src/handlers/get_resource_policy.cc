// GetResourcePolicy: the policy of a stream or consumer (by ARN); "{}" when
// it has none.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleGetResourcePolicy(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::GetResourcePolicy>(body, reply);
  if (!input) return;
  auto resource = ResolveResource(context, *input->ResourceARN, reply);
  if (!resource) return;
  auto policy = context.streams.GetResourcePolicy(*resource);
  if (!policy.ok()) return ReplyError(reply, policy.status());
  wire::GetResourcePolicyOutput output;
  output.Policy = std::move(*policy);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
