// PutResourcePolicy: attaches a JSON policy to a stream or consumer (by ARN).
// The policy must be a JSON object (checked here, with the protocol layer's
// probe); it is stored, never evaluated.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"
#include "protocol/json_probe.h"

namespace riffle::handlers {

void HandlePutResourcePolicy(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::PutResourcePolicy>(body, reply);
  if (!input) return;
  auto resource = ResolveResource(context, *input->ResourceARN, reply);
  if (!resource) return;
  if (!protocol::IsJsonObject(*input->Policy)) {
    // Wording not verified against AWS.
    return reply(protocol::ApiError::InvalidArgument("Policy is not a valid JSON policy document."));
  }
  context.streams.PutResourcePolicy(*resource, std::move(*input->Policy), ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
