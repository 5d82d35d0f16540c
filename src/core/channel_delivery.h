// ChannelDelivery: the thread that copies each ACTIVE channel's stream into
// objects in its bucket (docs/channels.md).
//
// Every tick it looks at every channel: a gone one (DELETING past its delay)
// is removed; an ACTIVE or UPDATING one delivers each shard of its stream
// whose oldest undelivered record has waited DataFreshnessInSeconds (or
// `freshness_ms` when set, for tests), or when a whole object's worth is
// waiting. An object holds one shard's records, in order, from the channel's
// position in that shard; the position is a metadata key written with
// compare-and-set before (the object's extent) and after (delivered) the
// object is stored (docs/storage-format.md "Channel delivery position"), so
// any node may deliver and none loses or repeats a record across a crash.
//
// Without a sink (no --s3-endpoint), an ACTIVE channel is marked FAILED with
// the reason. Thread-safe; Stop() joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/channel_service.h"
#include "core/object_sink.h"

namespace riffle::core {

class ChannelDelivery {
 public:
  struct Options {
    int64_t tick_ms = 1000;
    std::optional<int64_t> freshness_ms;  // replaces every channel's DataFreshnessInSeconds
    uint64_t max_object_bytes = 32 << 20;  // record data per object (before compression)
  };
  struct Stats {
    uint64_t objects = 0;
    uint64_t records = 0;
    uint64_t bytes = 0;     // object bytes stored
    uint64_t failures = 0;  // objects that could not be stored (retried)
    std::string last_error;
  };

  // `sink` may be null (no destination configured).
  ChannelDelivery(ChannelService& channels, StreamService& streams, store::Store& store, ObjectSink* sink,
                  const Clock& clock, Options options);
  ~ChannelDelivery();  // Stop()s

  void Start();
  void Stop();
  // One pass over every channel, on the caller's thread (tests).
  void RunOnce();
  Stats stats() const;

 private:
  void Run();
  void DeliverChannel(const ChannelService::Stored& stored, const ChannelState& c, int64_t now);
  // Delivers at most one object from the shard; false when it could not (error recorded).
  bool DeliverShard(const ChannelState& c, const StreamState& stream, const ShardState& shard, int64_t now);
  void Failed(const std::string& error);

  ChannelService& channels_;
  StreamService& streams_;
  store::Store& store_;
  ObjectSink* const sink_;
  const Clock& clock_;
  const Options options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  Stats stats_;            // guarded by mu_
  std::mutex run_mu_;      // one pass at a time
  std::thread thread_;
};

}  // namespace riffle::core
