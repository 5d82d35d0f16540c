// Authorizer: may this caller perform this Kinesis action on this resource?
// IAM's evaluation for one account's identity policy and the resource's own
// policy (PutResourcePolicy), as AWS evaluates cross-account access:
//  - an explicit Deny in either policy refuses;
//  - a resource of the caller's own account is allowed when the identity
//    policy allows (a key without a policy allows everything) or the
//    resource policy allows the caller;
//  - a resource of another account is allowed only when both allow.
// The action is "kinesis:" + the operation name; the resource is the stream
// ARN, the consumer ARN, or "*" for the account-level operations, as the AWS
// service authorization reference lists them (ResourceKindOf, the table).
// Refusals are AccessDeniedException with AWS's message.
//
// Parsed resource policies are cached by their text. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/stream_service.h"
#include "protocol/api_error.h"
#include "protocol/iam_policy.h"

namespace riffle::handlers {

struct Caller;

enum class ResourceKind {
  kAccount,   // "*": ListStreams, DescribeLimits, account settings
  kStream,    // the stream's ARN
  kConsumer,  // the consumer's ARN
  kStreamOrConsumer,  // ResourceARN: a stream or a consumer
};

// The resource kind each operation is checked against; nullopt for an
// unknown operation.
std::optional<ResourceKind> ResourceKindOf(std::string_view operation);

// What one authorization check is about.
struct AccessRequest {
  const Caller* caller = nullptr;
  std::string_view operation;      // "PutRecord"
  std::string_view region;         // of the request (aws:RequestedRegion)
  bool secure_transport = false;   // over TLS (aws:SecureTransport)
  std::string resource_arn;        // or "*"
  std::string owner_account;       // the resource's account (the caller's for "*")
  std::optional<core::ResourceRef> resource;  // whose policy applies; nullopt for "*"
};

class Authorizer {
 public:
  explicit Authorizer(core::StreamService& streams) : streams_(streams) {}
  // nullopt when allowed, else the AccessDeniedException.
  std::optional<protocol::ApiError> Check(const AccessRequest& request);

  // The AccessDeniedException text: "User: ARN is not authorized to perform:
  // ACTION on resource: RESOURCE <reason>".
  static std::string DeniedMessage(std::string_view user_arn, std::string_view action, std::string_view resource,
                                   std::string_view reason);

 private:
  // The parsed policy of `text`; null when it does not parse (it then grants nothing).
  std::shared_ptr<const protocol::IamPolicy> ResourcePolicy(const std::string& text);

  core::StreamService& streams_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const protocol::IamPolicy>, std::less<>> policies_;  // guarded by mu_
};

}  // namespace riffle::handlers
