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

Status InUseBySubscription(const StreamAddress& a, const std::string& shard_id, const std::string& consumer) {
  return Status::InUse("Another active subscription exists for this consumer: " + a.account_id + ":" + a.name + ":" +
                       shard_id + ":" + consumer);
}

}  // namespace

void StreamService::Subscribe(const SubscriptionRequest& request, std::function<void(StatusOr<Subscription>)> done) {
  SubscribeImpl(request, std::move(done), false);
}

void StreamService::SubscribeImpl(const SubscriptionRequest& request,
                                  std::function<void(StatusOr<Subscription>)> done, bool refreshed) {
  const int64_t now = clock_.NowMs();
  const StreamAddress& address = request.stream;
  StreamPtr stream = Find(address);
  ConsumerPtr consumer =
      stream && !stream->IsGone(now) ? LiveConsumer(*stream, request.consumer, request.consumer_created_seconds, now)
                                     : nullptr;
  if (consumer == nullptr) {
    if (!refreshed) {
      // Perhaps registered through another node a moment ago.
      return AfterBarrier([this, request, done = std::move(done)]() mutable {
        SubscribeImpl(request, std::move(done), true);
      });
    }
    return done(ConsumerNotFound(address, request.consumer));
  }
  if (ConsumerAsOf(consumer->state, now).status != ConsumerStatus::kActive) {
    // Wording not verified against AWS.
    return done(Status::InUse("Consumer " + request.consumer + " under stream " + address.name + " is not ACTIVE."));
  }
  Subscription sub;
  sub.stream = address;
  sub.consumer = request.consumer;
  sub.incarnation = stream->state.incarnation;
  sub.consumer_created_ms = consumer->state.created_ms;
  // The shard and the starting position: GetShardIterator's checks and texts.
  GetShardIterator(address, request.shard_id, request.start,
                   [this, sub, shard_id = request.shard_id, done = std::move(done)](StatusOr<std::string> cursor) mutable {
                     if (!cursor.ok()) {
                       std::string message = cursor.status().message();
                       if (size_t at = message.find("GetShardIterator"); at != std::string::npos) {
                         message.replace(at, 16, "SubscribeToShard");
                       }
                       return done(Status(cursor.status().code(), std::move(message)));
                     }
                     sub.cursor = std::move(*cursor);
                     sub.shard_index = *ParseShardId(shard_id);  // GetShardIterator accepted it
                     TakeLease(std::move(sub), std::move(done), false);
                   });
}

// The lease of a consumer's shard says who subscribed last and when; one
// compare-and-set of it (an ephemeral key every node sees) enforces the
// 5-second rule across the cluster and ends the older subscription.
void StreamService::TakeLease(Subscription sub, std::function<void(StatusOr<Subscription>)> done, bool fresh) {
  const int64_t now = clock_.NowMs();
  const std::string key = LeaseMetaKey(sub.incarnation, sub.consumer, sub.consumer_created_ms, sub.shard_index);
  std::optional<LeaseEntry> lease = registry_.Lease(key);
  if (lease && now - lease->started_ms < kResubscribeMs) {
    return done(InUseBySubscription(sub.stream, ShardIdString(sub.shard_index), sub.consumer));
  }
  store::MetaWrite write{key, EncodeLease(now), lease ? lease->revision : store::kMustNotExist, true};
  store_.WriteMeta(write, [this, sub = std::move(sub), key, now, fresh, done = std::move(done)](
                              StatusOr<uint64_t> revision) mutable {
    if (revision.ok()) {
      registry_.Apply(store::MetaChange{key, EncodeLease(now), *revision, true}, false);
      sub.lease = *revision;
      sub.expires_ms = now + options_.subscription_ms;
      return done(std::move(sub));
    }
    if (revision.status().code() != Errc::kConflict || fresh) {
      if (revision.status().code() == Errc::kConflict) {
        return done(InUseBySubscription(sub.stream, ShardIdString(sub.shard_index), sub.consumer));
      }
      return done(revision.status());
    }
    // This node's view of the lease was behind: read it, then decide again.
    worker_.Post([this, sub = std::move(sub), key, done = std::move(done)]() mutable {
      auto stored = store_.GetMeta(key, true);
      if (!stored.ok()) return done(stored.status());
      if (stored->has_value()) {
        registry_.Apply(store::MetaChange{key, (*stored)->value, (*stored)->revision, true}, false);
      }
      TakeLease(std::move(sub), std::move(done), true);
    });
  });
}

void StreamService::ReadSubscription(const Subscription& sub, int64_t max_records, uint64_t max_bytes,
                                     std::function<void(StatusOr<SubscriptionBatch>)> done) {
  const int64_t now = clock_.NowMs();
  std::optional<LeaseEntry> lease =
      registry_.Lease(LeaseMetaKey(sub.incarnation, sub.consumer, sub.consumer_created_ms, sub.shard_index));
  if (!lease || lease->revision != sub.lease) {
    return done(InUseBySubscription(sub.stream, ShardIdString(sub.shard_index), sub.consumer));
  }
  StreamPtr stream = registry_.FindByIncarnation(sub.incarnation);
  if (stream == nullptr || stream->IsGone(now) || stream->state.status == StreamStatus::kDeleting) {
    return done(StreamNotFound(sub.stream));
  }
  ConsumerPtr consumer = LiveConsumer(*stream, sub.consumer, std::nullopt, now);
  if (consumer == nullptr || consumer->state.created_ms != sub.consumer_created_ms ||
      consumer->state.status == ConsumerStatus::kDeleting) {
    return done(ConsumerNotFound(sub.stream, sub.consumer));
  }
  GetRecords(sub.cursor, max_records, max_bytes,
             [this, sub, now, done = std::move(done)](StatusOr<RecordsPage> page) {
               if (!page.ok()) return done(page.status());
               SubscriptionBatch batch;
               if (!page->next_shard_iterator) {
                 batch.shard_end = true;
               } else {
                 auto next = iterators_.Decode(*page->next_shard_iterator);
                 if (!next) return done(Status::Internal("subscription cursor does not decode"));
                 batch.next_cursor = std::move(*page->next_shard_iterator);
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
               done(std::move(batch));
             });
}

void StreamService::WatchShard(uint64_t incarnation, uint32_t shard_index, bool watch) {
  store_.WatchAppends({incarnation, shard_index}, watch);
}

}  // namespace riffle::core
