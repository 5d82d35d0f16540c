// StreamService resource policies: PutResourcePolicy, GetResourcePolicy,
// DeleteResourcePolicy on streams and consumers. A policy is stored with its
// resource (stream record version 3, consumer record version 2) and goes
// away with it. Policies are kept and returned, never evaluated.
#include "core/stream_service_internal.h"

namespace riffle::core {

void StreamService::PutResourcePolicy(const ResourceRef& resource, std::string policy, Done done) {
  if (policy.size() > kMaxResourcePolicyBytes) {
    // Wording not verified against AWS.
    return done(Status::InvalidArgument("Policy size " + std::to_string(policy.size()) +
                                        " bytes exceeds the maximum of 20480 bytes."));
  }
  if (policy.empty()) return done(Status::InvalidArgument("Policy must not be empty."));  // unverified wording
  SetResourcePolicy(resource, std::move(policy), std::move(done));
}

void StreamService::DeleteResourcePolicy(const ResourceRef& resource, Done done) {
  SetResourcePolicy(resource, std::string(), std::move(done));
}

void StreamService::SetResourcePolicy(const ResourceRef& resource, std::string policy, Done done) {
  if (!resource.consumer) {
    return done(MutateStream(resource.stream, [&](StreamState& s, int64_t) -> Status {
      if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) {
        return Status::InUse(NotActiveMessage(s));
      }
      s.policy = policy;
      return Status::Ok();
    }));
  }
  done(MutateConsumer(resource, [&](ConsumerState& c, const StreamEntry&, int64_t) -> Status {
    c.policy = policy;
    return Status::Ok();
  }));
}

StatusOr<std::string> StreamService::GetResourcePolicy(const ResourceRef& resource) {
  RIFFLE_RETURN_IF_ERROR(Barrier());
  const StreamAddress& address = resource.stream;
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  std::string policy;
  if (!resource.consumer) {
    policy = stream->state.policy;
  } else {
    ConsumerPtr consumer = LiveConsumer(*stream, *resource.consumer, resource.consumer_created_seconds, now);
    if (consumer == nullptr) return ConsumerNotFound(address, *resource.consumer);
    policy = consumer->state.policy;
  }
  if (policy.empty()) return std::string("{}");
  return policy;
}

std::string StreamService::KnownResourcePolicy(const ResourceRef& resource) const {
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(resource.stream);
  if (stream == nullptr || stream->IsGone(now)) return "{}";
  std::string policy = stream->state.policy;
  if (resource.consumer) {
    ConsumerPtr consumer = LiveConsumer(*stream, *resource.consumer, resource.consumer_created_seconds, now);
    policy = consumer ? consumer->state.policy : std::string();
  }
  return policy.empty() ? std::string("{}") : policy;
}

}  // namespace riffle::core
