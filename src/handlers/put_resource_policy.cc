// PutResourcePolicy: attaches a JSON policy to a stream or consumer (by ARN).
// The policy must be a JSON object (checked here, with the protocol layer's
// probe); with credentials configured it must also be a policy Riffle can
// evaluate (protocol/iam_policy.h), which handlers/authorizer.h enforces.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"
#include "protocol/iam_policy.h"
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
  if (context.caller) {
    auto policy = protocol::IamPolicy::Parse(*input->Policy, protocol::IamPolicy::Kind::kResource);
    // Wording not verified against AWS.
    if (!policy.ok()) return reply(protocol::ApiError::InvalidArgument("Invalid policy: " + policy.status().message()));
  }
  context.streams.PutResourcePolicy(*resource, std::move(*input->Policy), ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
