// The action table follows the AWS service authorization reference for
// Amazon Kinesis Data Streams ("Actions defined by Amazon Kinesis Data
// Streams": resource types stream*, consumer*, or none for the account-level
// actions). The AccessDeniedException texts are AWS's: "User: ARN is not
// authorized to perform: kinesis:DescribeStreamSummary on resource: ARN
// because no identity-based policy allows the kinesis:DescribeStreamSummary
// action" (Kinesis, status 400, quoted in awslabs/amazon-kinesis-connector-flink#65
// and opensearch-project/data-prepper#6886); the explicit-deny and
// resource-based forms are those of IAM's "access denied error messages"
// page. "on resource: *" for account-level actions is not verified.
#include "handlers/authorizer.h"

#include <algorithm>
#include <array>
#include <utility>

#include "handlers/key_ring.h"

namespace riffle::handlers {

namespace {

struct ActionEntry {
  std::string_view operation;
  ResourceKind kind;
};

// Sorted by operation (checked by a unit test against the handler list).
constexpr std::array<ActionEntry, 45> kActions{{
    {"AddTagsToStream", ResourceKind::kStream},
    {"CreateChannel", ResourceKind::kAccount},
    {"CreateStream", ResourceKind::kStream},
    {"DecreaseStreamRetentionPeriod", ResourceKind::kStream},
    {"DeleteChannel", ResourceKind::kAccount},
    {"DeleteResourcePolicy", ResourceKind::kStreamOrConsumer},
    {"DeleteStream", ResourceKind::kStream},
    {"DeregisterStreamConsumer", ResourceKind::kConsumer},
    {"DescribeAccountSettings", ResourceKind::kAccount},
    {"DescribeChannel", ResourceKind::kAccount},
    {"DescribeLimits", ResourceKind::kAccount},
    {"DescribeStream", ResourceKind::kStream},
    {"DescribeStreamConsumer", ResourceKind::kConsumer},
    {"DescribeStreamSummary", ResourceKind::kStream},
    {"DisableEnhancedMonitoring", ResourceKind::kStream},
    {"EnableEnhancedMonitoring", ResourceKind::kStream},
    {"GetRecords", ResourceKind::kStream},
    {"GetResourcePolicy", ResourceKind::kStreamOrConsumer},
    {"GetShardIterator", ResourceKind::kStream},
    {"IncreaseStreamRetentionPeriod", ResourceKind::kStream},
    {"ListChannels", ResourceKind::kAccount},
    {"ListShards", ResourceKind::kStream},
    {"ListStreamConsumers", ResourceKind::kStream},
    {"ListStreams", ResourceKind::kAccount},
    {"ListTagsForResource", ResourceKind::kStreamOrConsumer},
    {"ListTagsForStream", ResourceKind::kStream},
    {"MergeShards", ResourceKind::kStream},
    {"PutRecord", ResourceKind::kStream},
    {"PutRecords", ResourceKind::kStream},
    {"PutResourcePolicy", ResourceKind::kStreamOrConsumer},
    {"RegisterStreamConsumer", ResourceKind::kStream},
    {"RemoveTagsFromStream", ResourceKind::kStream},
    {"SplitShard", ResourceKind::kStream},
    {"StartStreamEncryption", ResourceKind::kStream},
    {"StopStreamEncryption", ResourceKind::kStream},
    {"SubscribeToShard", ResourceKind::kConsumer},
    {"TagResource", ResourceKind::kStreamOrConsumer},
    {"UntagResource", ResourceKind::kStreamOrConsumer},
    {"UpdateAccountSettings", ResourceKind::kAccount},
    {"UpdateChannel", ResourceKind::kAccount},
    {"UpdateMaxRecordSize", ResourceKind::kStream},
    {"UpdateShardCount", ResourceKind::kStream},
    {"UpdateStreamMode", ResourceKind::kStream},
    {"UpdateStreamRecordDistributionStrategy", ResourceKind::kStream},
    {"UpdateStreamWarmThroughput", ResourceKind::kStream},
}};

}  // namespace

std::optional<ResourceKind> ResourceKindOf(std::string_view operation) {
  auto it = std::lower_bound(kActions.begin(), kActions.end(), operation,
                             [](const ActionEntry& e, std::string_view op) { return e.operation < op; });
  if (it == kActions.end() || it->operation != operation) return std::nullopt;
  return it->kind;
}

std::string Authorizer::DeniedMessage(std::string_view user_arn, std::string_view action, std::string_view resource,
                                      std::string_view reason) {
  std::string out = "User: ";
  out.append(user_arn).append(" is not authorized to perform: ").append(action);
  out.append(" on resource: ").append(resource).push_back(' ');
  out.append(reason);
  return out;
}

std::shared_ptr<const protocol::IamPolicy> Authorizer::ResourcePolicy(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = policies_.find(text); it != policies_.end()) return it->second;
  }
  std::shared_ptr<const protocol::IamPolicy> parsed;
  auto policy = protocol::IamPolicy::Parse(text, protocol::IamPolicy::Kind::kResource);
  if (policy.ok()) parsed = std::make_shared<const protocol::IamPolicy>(std::move(policy).value());
  std::lock_guard<std::mutex> lock(mu_);
  if (policies_.size() >= 256) policies_.clear();  // at most 256 x 20 KiB of policy text
  policies_.emplace(text, parsed);
  return parsed;
}

std::optional<protocol::ApiError> Authorizer::Check(const AccessRequest& request) {
  const Caller& caller = *request.caller;
  std::string action = "kinesis:" + std::string(request.operation);
  protocol::PolicyQuestion question{action,           request.resource_arn, caller.arn, caller.account_id,
                                    caller.user_name, request.region,       request.secure_transport};
  auto denied = [&](std::string_view reason) {
    return protocol::ApiError{400, "AccessDeniedException",
                              DeniedMessage(caller.arn, action, request.resource_arn, reason)};
  };

  protocol::PolicyDecision identity =
      caller.policy ? caller.policy->Evaluate(question) : protocol::PolicyDecision::kAllow;
  protocol::PolicyDecision resource = protocol::PolicyDecision::kNoMatch;
  if (request.resource) {
    // This node's view (never blocks: data-plane calls are authorized on I/O threads).
    std::string text = streams_.KnownResourcePolicy(*request.resource);
    if (text != "{}") {
      if (auto policy = ResourcePolicy(text)) resource = policy->Evaluate(question);
    }
  }
  if (identity == protocol::PolicyDecision::kDeny) return denied("with an explicit deny in an identity-based policy");
  if (resource == protocol::PolicyDecision::kDeny) return denied("with an explicit deny in a resource-based policy");
  bool identity_allows = identity == protocol::PolicyDecision::kAllow;
  bool resource_allows = resource == protocol::PolicyDecision::kAllow;
  std::string no_identity = "because no identity-based policy allows the " + action + " action";
  if (request.owner_account == caller.account_id) {
    if (identity_allows || resource_allows) return std::nullopt;
    return denied(no_identity);
  }
  if (!identity_allows) return denied(no_identity);
  if (!resource_allows) return denied("because no resource-based policy allows the " + action + " action");
  return std::nullopt;
}

}  // namespace riffle::handlers
