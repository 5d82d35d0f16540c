// StreamService SubscribeToShard: starting a subscription (consumer, shard,
// starting position, the 5-second rule) and reading it batch by batch. The
// push side (waiting for records, timing, framing) is the caller's; it waits
// on notifier() between reads.
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

// Two SubscribeToShard calls of one consumer for one shard must be this far
// apart (the API reference: "within 5 seconds of a successful call").
constexpr int64_t kResubscribeMs = 5000;

std::string LeaseKey(uint64_t incarnation, const std::string& consumer, int64_t created_ms, uint32_t shard) {
  return std::to_string(incarnation) + "/" + consumer + "/" + std::to_string(created_ms) + "/" +
         std::to_string(shard);
}

Status InUseBySubscription(const StreamAddress& a, const std::string& shard_id, const std::string& consumer) {
  return Status::InUse("Another active subscription exists for this consumer: " + a.account_id + ":" + a.name + ":" +
                       shard_id + ":" + consumer);
}

}  // namespace

StatusOr<Subscription> StreamService::Subscribe(const SubscriptionRequest& request) {
  int64_t now = clock_.NowMs();
  const StreamAddress& address = request.stream;
  auto stream = Find(address);
  if (stream == nullptr) return ConsumerNotFound(address, request.consumer);
  Subscription sub;
  sub.stream = address;
  sub.consumer = request.consumer;
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return ConsumerNotFound(address, request.consumer);
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    auto it = stream->consumers.find(request.consumer);
    if (it == stream->consumers.end() ||
        (request.consumer_created_seconds && *request.consumer_created_seconds != it->second.created_ms / 1000)) {
      return ConsumerNotFound(address, request.consumer);
    }
    if (it->second.status != ConsumerStatus::kActive) {
      // Wording not verified against AWS.
      return Status::InUse("Consumer " + request.consumer + " under stream " + address.name + " is not ACTIVE.");
    }
    sub.incarnation = stream->state.incarnation;
    sub.consumer_created_ms = it->second.created_ms;
  }
  Commit(std::move(m), [](Status) {});

  // The shard and the starting position: GetShardIterator's checks and texts.
  auto cursor = GetShardIterator(address, request.shard_id, request.start);
  if (!cursor.ok()) {
    std::string message = cursor.status().message();
    if (size_t at = message.find("GetShardIterator"); at != std::string::npos) {
      message.replace(at, 16, "SubscribeToShard");
    }
    return Status(cursor.status().code(), std::move(message));
  }
  sub.cursor = std::move(*cursor);
  sub.shard_index = *ParseShardId(request.shard_id);  // GetShardIterator accepted it

  std::lock_guard lock(subscriptions_mu_);
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    bool stale = now - it->second.started_ms > options_.subscription_ms + kResubscribeMs;
    it = stale ? subscriptions_.erase(it) : std::next(it);
  }
  SubscriptionLease& lease =
      subscriptions_[LeaseKey(sub.incarnation, sub.consumer, sub.consumer_created_ms, sub.shard_index)];
  if (lease.lease != 0 && now - lease.started_ms < kResubscribeMs) {
    return InUseBySubscription(address, ShardIdString(sub.shard_index), sub.consumer);
  }
  lease.started_ms = now;
  lease.lease = next_lease_++;
  sub.lease = lease.lease;
  sub.expires_ms = now + options_.subscription_ms;
  return sub;
}

StatusOr<SubscriptionBatch> StreamService::ReadSubscription(Subscription& sub, int64_t max_records,
                                                            uint64_t max_bytes) {
  int64_t now = clock_.NowMs();
  {
    std::lock_guard lock(subscriptions_mu_);
    auto it = subscriptions_.find(LeaseKey(sub.incarnation, sub.consumer, sub.consumer_created_ms, sub.shard_index));
    if (it == subscriptions_.end() || it->second.lease != sub.lease) {
      return InUseBySubscription(sub.stream, ShardIdString(sub.shard_index), sub.consumer);
    }
  }
  auto stream = FindByIncarnation(sub.incarnation);
  if (stream == nullptr) return StreamNotFound(sub.stream);
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now) || stream->state.status == StreamStatus::kDeleting) return StreamNotFound(sub.stream);
    auto it = stream->consumers.find(sub.consumer);
    if (it == stream->consumers.end() || it->second.created_ms != sub.consumer_created_ms ||
        it->second.status == ConsumerStatus::kDeleting) {
      return ConsumerNotFound(sub.stream, sub.consumer);
    }
  }
  auto page = GetRecords(sub.cursor, max_records, max_bytes);
  if (!page.ok()) return page.status();
  SubscriptionBatch batch;
  if (!page->next_shard_iterator) {
    batch.shard_end = true;
  } else {
    auto next = iterators_.Decode(*page->next_shard_iterator);
    if (!next) return Status::Internal("subscription cursor does not decode");
    sub.cursor = std::move(*page->next_shard_iterator);
    page->next_shard_iterator.reset();
    if (!page->records.empty()) {
      batch.continuation = page->records.back().sequence_number;
    } else {
      // Resuming AFTER this number reads from the cursor's position on.
      // Shards start at counter 1 at least, so there is a predecessor, but
      // for shards of streams stored before that rule (start counter 0,
      // nothing read): counter 0 is reported there, and resuming AFTER it
      // would skip the shard's first record (docs/subscribe-to-shard.md).
      SequenceNumber seq;
      seq.incarnation = sub.incarnation;
      seq.shard_index = sub.shard_index;
      seq.counter = next->position > 0 ? next->position - 1 : 0;
      seq.seconds = static_cast<uint64_t>(now / 1000) & SequenceNumber::kMaxSeconds;
      batch.continuation = seq.ToString();
    }
  }
  batch.page = std::move(*page);
  return batch;
}

}  // namespace riffle::core
