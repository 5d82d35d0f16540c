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
  const StreamAddress& address = resource.stream;
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    if (!resource.consumer) {
      StreamState& s = stream->state;
      if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) {
        return done(Status::InUse(NotActiveMessage(s)));
      }
      s.policy = std::move(policy);
      std::string key = StreamMetaKey(address);
      std::erase_if(m.meta_puts, [&](const auto& put) { return put.first == key; });
      m.meta_puts.emplace_back(key, EncodeStreamState(s));
    } else {
      ConsumerState* consumer = stream->FindConsumer(resource);
      if (consumer == nullptr) return done(ConsumerNotFound(address, *resource.consumer));
      ConsumerState& c = *consumer;
      c.policy = std::move(policy);
      std::string key = ConsumerMetaKey(address, c.name);
      std::erase_if(m.meta_puts, [&](const auto& put) { return put.first == key; });
      m.meta_puts.emplace_back(key, EncodeConsumerState(c));
    }
  }
  Commit(std::move(m), std::move(done));
}

StatusOr<std::string> StreamService::GetResourcePolicy(const ResourceRef& resource) {
  const StreamAddress& address = resource.stream;
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return StreamNotFound(address);
  store::Mutation m;
  std::string policy;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return StreamNotFound(address);
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    if (!resource.consumer) {
      policy = stream->state.policy;
    } else {
      ConsumerState* consumer = stream->FindConsumer(resource);
      if (consumer == nullptr) return ConsumerNotFound(address, *resource.consumer);
      policy = consumer->policy;
    }
  }
  Commit(std::move(m), [](Status) {});
  if (policy.empty()) return std::string("{}");
  return policy;
}

}  // namespace riffle::core
