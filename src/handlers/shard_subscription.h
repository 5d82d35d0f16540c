// ShardSubscription: the event stream of one SubscribeToShard, as a
// BodyStream the transport pulls from.
//
// First an `initial-response` event, then SubscribeToShardEvents: each
// carries the records read since the previous one (at most kMaxRecords /
// kMaxBytes of data), or none when kHeartbeatMs passed without records.
// Records are read only when the transport pulls, i.e. when it can send
// (flow control); a read runs in the background (the store may answer later)
// and wakes the transport when done; between pulls with nothing to send the
// subscription waits on the shard's notifier, so a PutRecord (through any
// node: the subscription watches its shard) wakes it at once. It ends after
// the subscription's lifetime, after the event with ChildShards of a
// closed shard, or with an exception message (consumer or stream deleted,
// another subscription took over). See docs/subscribe-to-shard.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/stream_service.h"
#include "protocol/body_stream.h"

namespace riffle::handlers {

class TrafficMeter;

class ShardSubscription final : public protocol::BodyStream,
                                public std::enable_shared_from_this<ShardSubscription> {
 public:
  static constexpr std::string_view kContentType = "application/vnd.amazon.eventstream";
  static constexpr int64_t kHeartbeatMs = 5000;
  static constexpr int64_t kMaxRecords = 10000;
  static constexpr uint64_t kMaxBytes = 1024 * 1024;

  // `traffic` (may be null; must outlive this) counts the records sent.
  ShardSubscription(core::StreamService& streams, core::Subscription subscription, TrafficMeter* traffic = nullptr);
  ~ShardSubscription() override;

  // Subscriptions of this process whose event stream is open (for /metrics).
  static int64_t OpenCount() { return open_count_.load(std::memory_order_relaxed); }

  void Start(std::function<void()> wake) override;
  PullResult Pull(std::string& out) override;
  void Cancel() override;

 private:
  // Arms (or re-arms) the shard notification. REQUIRES: mu_ held.
  void WatchLocked();
  void StopWatchingLocked();
  // Turns a finished read into the next event (or the end).
  PullResult Deliver(StatusOr<core::SubscriptionBatch> batch, std::string& out, int64_t now);
  void StopWatchingShard();

  static inline std::atomic<int64_t> open_count_{0};
  core::StreamService& streams_;
  core::Subscription subscription_;
  TrafficMeter* traffic_;
  std::mutex mu_;
  std::function<void()> wake_;  // guarded by mu_
  uint64_t watch_id_ = 0;       // guarded by mu_; 0 = not watching
  bool cancelled_ = false;      // guarded by mu_
  bool reading_ = false;        // guarded by mu_: a read is in flight
  bool in_pull_ = false;        // guarded by mu_: Pull() is running (a read done inside it needs no wake)
  // guarded by mu_: the shard changed since the last read began (that read
  // may have missed the change: read again before waiting for the next one)
  bool changed_ = false;
  std::optional<StatusOr<core::SubscriptionBatch>> ready_;  // guarded by mu_: a finished read
  bool shard_watched_ = false;  // guarded by mu_: WatchShard(true) was called
  bool initial_sent_ = false;
  bool ended_ = false;
  int64_t last_event_ms_ = 0;
};

}  // namespace riffle::handlers
