// ShardSubscription: the event stream of one SubscribeToShard, as a
// BodyStream the transport pulls from.
//
// First an `initial-response` event, then SubscribeToShardEvents: each
// carries the records read since the previous one (at most kMaxRecords /
// kMaxBytes of data), or none when kHeartbeatMs passed without records.
// Records are read only when the transport pulls, i.e. when it can send
// (flow control); between pulls with nothing to send the subscription waits
// on the shard's notifier, so a PutRecord wakes it at once. It ends after
// the subscription's lifetime, after the event with ChildShards of a
// closed shard, or with an exception message (consumer or stream deleted,
// another subscription took over). See docs/subscribe-to-shard.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/stream_service.h"
#include "protocol/body_stream.h"

namespace riffle::handlers {

class ShardSubscription final : public protocol::BodyStream,
                                public std::enable_shared_from_this<ShardSubscription> {
 public:
  static constexpr std::string_view kContentType = "application/vnd.amazon.eventstream";
  static constexpr int64_t kHeartbeatMs = 5000;
  static constexpr int64_t kMaxRecords = 10000;
  static constexpr uint64_t kMaxBytes = 1024 * 1024;

  ShardSubscription(core::StreamService& streams, core::Subscription subscription);
  ~ShardSubscription() override;

  void Start(std::function<void()> wake) override;
  PullResult Pull(std::string& out) override;
  void Cancel() override;

 private:
  // Arms (or re-arms) the shard notification. REQUIRES: mu_ held.
  void WatchLocked();
  void StopWatchingLocked();

  core::StreamService& streams_;
  core::Subscription subscription_;
  std::mutex mu_;
  std::function<void()> wake_;  // guarded by mu_
  uint64_t watch_id_ = 0;       // guarded by mu_; 0 = not watching
  bool cancelled_ = false;      // guarded by mu_
  bool initial_sent_ = false;
  bool ended_ = false;
  int64_t last_event_ms_ = 0;
};

}  // namespace riffle::handlers
