#include "handlers/shard_subscription.h"

#include <algorithm>
#include <utility>

#include "handlers/handler_support.h"
#include "handlers/traffic_meter.h"
#include "protocol/event_stream.h"

namespace riffle::handlers {

namespace {

std::string EncodeBatch(core::SubscriptionBatch& batch) {
  wire::SubscribeToShardEvent event;
  event.Records.emplace();
  event.Records->reserve(batch.page.records.size());
  for (core::RecordOut& r : batch.page.records) {
    wire::Record record;
    record.SequenceNumber = std::move(r.sequence_number);
    record.ApproximateArrivalTimestamp = ToSeconds(r.arrival_ms);
    record.Data = std::string(r.data);
    record.PartitionKey = std::string(r.partition_key);
    if (batch.page.encrypted) record.EncryptionType = "KMS";  // as GetRecords reports it
    event.Records->push_back(std::move(record));
  }
  if (!batch.shard_end) event.ContinuationSequenceNumber = std::move(batch.continuation);
  event.MillisBehindLatest = batch.page.millis_behind_latest;
  if (batch.shard_end) {
    event.ChildShards.emplace();
    for (const core::ChildShard& c : batch.page.child_shards) {
      wire::ChildShard child;
      child.ShardId = c.shard_id;
      child.ParentShards = c.parent_shards;
      child.HashKeyRange = ToWire(c.range);
      event.ChildShards->push_back(std::move(child));
    }
  }
  return protocol::EncodeJsonEvent("SubscribeToShardEvent", protocol::EncodeJson(event));
}

}  // namespace

ShardSubscription::ShardSubscription(core::StreamService& streams, core::Subscription subscription,
                                     TrafficMeter* traffic)
    : streams_(streams), subscription_(std::move(subscription)), traffic_(traffic) {
  streams_.WatchShard(subscription_.incarnation, subscription_.shard_index, true);
  shard_watched_ = true;
  open_count_.fetch_add(1, std::memory_order_relaxed);
}

ShardSubscription::~ShardSubscription() {
  Cancel();
  open_count_.fetch_sub(1, std::memory_order_relaxed);
}

void ShardSubscription::Start(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
}

void ShardSubscription::WatchLocked() {
  if (cancelled_ || watch_id_ != 0 || !wake_) return;
  // The id is cleared before waking, so the next Pull re-arms.
  auto fired = [weak = weak_from_this(), wake = wake_] {
    if (auto self = weak.lock()) {
      std::lock_guard lock(self->mu_);
      self->watch_id_ = 0;
      self->changed_ = true;
    }
    wake();
  };
  watch_id_ = streams_.notifier().Watch(subscription_.incarnation, subscription_.shard_index, std::move(fired));
}

void ShardSubscription::StopWatchingLocked() {
  if (watch_id_ != 0) streams_.notifier().Cancel(watch_id_);
  watch_id_ = 0;
}

void ShardSubscription::StopWatchingShard() {
  bool watched;
  {
    std::lock_guard lock(mu_);
    watched = shard_watched_;
    shard_watched_ = false;
  }
  if (watched) streams_.WatchShard(subscription_.incarnation, subscription_.shard_index, false);
}

void ShardSubscription::Cancel() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    StopWatchingLocked();
    wake_ = nullptr;
  }
  StopWatchingShard();
}

ShardSubscription::PullResult ShardSubscription::Pull(std::string& out) {
  if (ended_) return {State::kEnd};
  const int64_t now = streams_.clock().NowMs();
  if (!initial_sent_) {
    initial_sent_ = true;
    last_event_ms_ = now;
    out += protocol::EncodeJsonEvent("initial-response", "{}");
    return {State::kData};
  }
  std::optional<StatusOr<core::SubscriptionBatch>> batch;
  {
    std::lock_guard lock(mu_);
    if (cancelled_) return {State::kEnd};
    if (now >= subscription_.expires_ms) {
      ended_ = true;
      StopWatchingLocked();
      return {State::kEnd};
    }
    if (ready_) {
      batch = std::move(ready_);
      ready_.reset();
    } else if (reading_) {
      return {State::kWait, kHeartbeatMs};  // the read in flight wakes us
    } else {
      // Watch before reading: a record settled after the read wakes us.
      WatchLocked();
      reading_ = true;
      in_pull_ = true;
      changed_ = false;  // this read sees every change so far
    }
  }
  if (!batch) {
    core::Subscription at = subscription_;
    std::weak_ptr<ShardSubscription> weak = weak_from_this();
    streams_.ReadSubscription(at, kMaxRecords, kMaxBytes, [weak](StatusOr<core::SubscriptionBatch> result) {
      auto self = weak.lock();
      if (!self) return;
      std::function<void()> wake;
      {
        std::lock_guard lock(self->mu_);
        self->ready_ = std::move(result);
        self->reading_ = false;
        if (!self->in_pull_) wake = self->wake_;
      }
      if (wake) wake();
    });
    std::lock_guard lock(mu_);
    in_pull_ = false;
    if (!ready_) return {State::kWait, kHeartbeatMs};  // the read wakes us when it is done
    batch = std::move(ready_);
    ready_.reset();
  }
  PullResult result = Deliver(std::move(*batch), out, now);
  if (result.state == State::kWait) {
    // A change notified while the read was in flight may not be in what it
    // returned (the watch fired and is spent): read again at once rather
    // than at the next heartbeat.
    std::lock_guard lock(mu_);
    if (changed_) result.retry_after_ms = 1;
  }
  return result;
}

ShardSubscription::PullResult ShardSubscription::Deliver(StatusOr<core::SubscriptionBatch> batch, std::string& out,
                                                         int64_t now) {
  if (!batch.ok()) {
    protocol::ApiError error = protocol::ToApiError(batch.status());
    out += protocol::EncodeJsonException(error.type, error.message);
    ended_ = true;
    {
      std::lock_guard lock(mu_);
      StopWatchingLocked();
    }
    StopWatchingShard();
    return {State::kEnd};
  }
  if (!batch->next_cursor.empty()) subscription_.cursor = std::move(batch->next_cursor);
  if (!batch->page.records.empty() || batch->shard_end || now - last_event_ms_ >= kHeartbeatMs) {
    last_event_ms_ = now;
    if (traffic_ != nullptr) {
      uint64_t bytes = 0;
      for (const core::RecordOut& r : batch->page.records) bytes += r.data.size() + r.partition_key.size();
      const uint64_t records = batch->page.records.size();
      const core::StreamAddress& stream = subscription_.stream;
      traffic_->Count(stream.account_id, stream.region, stream.name,
                      {{TrafficMeter::kOutgoingRecords, records},
                       {TrafficMeter::kOutgoingBytes, bytes},
                       {TrafficMeter::kSubscribeToShardEventSuccess, 1},
                       {TrafficMeter::kSubscribeToShardEventRecords, records},
                       {TrafficMeter::kSubscribeToShardEventBytes, bytes},
                       {TrafficMeter::kSubscribeToShardEventMillisBehindLatest,
                        static_cast<uint64_t>(std::max<int64_t>(0, batch->page.millis_behind_latest))}});
      if (records > 0) {
        traffic_->CountShard(stream.account_id, stream.region, stream.name,
                             core::ShardIdString(subscription_.shard_index),
                             {{TrafficMeter::kOutgoingRecords, records}, {TrafficMeter::kOutgoingBytes, bytes}});
      }
    }
    out += EncodeBatch(*batch);
    if (batch->shard_end) {
      ended_ = true;
      {
        std::lock_guard lock(mu_);
        StopWatchingLocked();
      }
      StopWatchingShard();
      return {State::kEnd};
    }
    return {State::kData};
  }
  int64_t next_heartbeat = last_event_ms_ + kHeartbeatMs;
  int64_t wait = std::min(next_heartbeat, subscription_.expires_ms) - now;
  return {State::kWait, std::max<int64_t>(wait, 1)};
}

}  // namespace riffle::handlers
