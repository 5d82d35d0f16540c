// LogAdmin: the life of record logs as JetStream streams — create, seal,
// drop, list, bounds and trimming (docs/storage-format.md, "Record logs").
//
// Every call blocks on JetStream requests answered by the stream's leader,
// retried through leader elections within the retry budget (then
// kUnavailable). Keeps in memory only the hidden prefixes of sealed logs
// trimmed through this node (a sealed stream refuses purges). Thread-safe.
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/jetstream/connection.h"
#include "store/jetstream/nats_ptr.h"
#include "store/store.h"

namespace riffle::store::jetstream {

class LogAdmin {
 public:
  LogAdmin(Connection* connection, const JetStreamOptions& options);

  Status Create(ShardKey shard, const LogOptions& options);
  StatusOr<uint64_t> Seal(ShardKey shard);
  Status Drop(ShardKey shard);
  StatusOr<std::vector<LogInfo>> List();
  StatusOr<LogBounds> Bounds(ShardKey shard);
  // `find` is FindByArrival (Reader).
  StatusOr<uint64_t> TrimBefore(ShardKey shard, int64_t cutoff_ms,
                                const std::function<StatusOr<uint64_t>(ShardKey, int64_t)>& find);

  // The stream's info from its leader (kResourceNotFound: no such log).
  StatusOr<NatsPtr<jsStreamInfo>> Info(ShardKey shard);
  // One past the log's highest counter, from its info (reads the last
  // message below the end marker, or the last message, to count its records).
  StatusOr<uint64_t> EndOf(ShardKey shard, const jsStreamInfo& info);
  // The stream sequence of the log's end marker (docs/storage-format.md),
  // asked of its leader; nullopt while it has none. Cached once found: a
  // marker never moves.
  StatusOr<std::optional<uint64_t>> EndMarker(ShardKey shard);
  // The same, asking the leader once for a marker at or after stream
  // sequence `from` (a lookup that does not scan the log below it) and
  // waiting at most `wait_ms` per request. "No marker" counts only from a
  // leader whose log reaches `through`: one elected since `through` was
  // acknowledged may not have applied what lies below it yet, so its stream
  // info is asked first, and again after a "no marker" (the same leader must
  // answer both). kUnavailable when it did not answer, its log does not
  // reach `through` yet, or the leader changed in between.
  StatusOr<std::optional<uint64_t>> EndMarkerFrom(ShardKey shard, uint64_t from, uint64_t through,
                                                  int64_t wait_ms);
  std::optional<uint64_t> CachedEndMarker(ShardKey shard) const;
  // Stream info of a log, one request waiting at most `wait_ms` (Info retries).
  StatusOr<NatsPtr<jsStreamInfo>> InfoWithin(ShardKey shard, int64_t wait_ms);
  // Counters below this are hidden from reads through this node (0: none).
  uint64_t HiddenBelow(ShardKey shard) const;
  // The log's offset (names.h, OffsetFor): cached, else from its info.
  StatusOr<uint64_t> OffsetOf(ShardKey shard);
  std::optional<uint64_t> CachedOffset(ShardKey shard) const;
  static uint64_t OffsetIn(const jsStreamInfo& info);

  // Tests: runs in EndMarkerFrom between a leader's "no marker" and the
  // stream info that confirms the same leader gave it (to move the
  // leadership there). Set before use, from one thread.
  void SetAfterNoMarkerForTest(std::function<void()> hook) { after_no_marker_for_test_ = std::move(hook); }
  // Tests: runs in Seal after it read the log unsealed and before it sends
  // the sealing update (to seal the log through another node in between).
  void SetBeforeSealUpdateForTest(std::function<void()> hook) { before_seal_update_for_test_ = std::move(hook); }

 private:
  // Info of a stream JetStream has just confirmed created: not found is
  // retried within the budget, since the server answering may not know the
  // new stream yet.
  StatusOr<NatsPtr<jsStreamInfo>> InfoOfCreated(ShardKey shard);
  // One past the highest counter of the messages up to stream sequence `last`.
  StatusOr<uint64_t> EndAt(ShardKey shard, const jsStreamInfo& info, uint64_t last);
  // Publishes the log's end marker unless it has one (adding the end subject
  // to a stream created without it). OK when the log was sealed meanwhile.
  Status MarkEnd(ShardKey shard, const jsStreamInfo& info);
  // The end of a log sealed without a marker: read once its last sequence
  // stood still.
  StatusOr<uint64_t> SettledEnd(ShardKey shard);
  // After a configuration update of the log failed: whether it is sealed,
  // asked of its leader for up to two seconds (a seal made through another
  // node at the same moment makes the update fail, and the leader may not
  // show it yet). False at once when its info cannot be read.
  bool SealedElsewhere(ShardKey shard);
  Status UpdateConfig(jsStreamConfig cfg, const std::string& what);
  void CacheEndMarker(ShardKey shard, uint64_t seq);

  Connection* connection_;
  const JetStreamOptions& options_;
  mutable std::mutex mu_;
  std::map<ShardKey, uint64_t> hidden_below_;
  std::map<ShardKey, uint64_t> offsets_;  // immutable once a log exists
  std::map<ShardKey, uint64_t> end_markers_;  // immutable once found
  std::function<void()> after_no_marker_for_test_;
  std::function<void()> before_seal_update_for_test_;
};

}  // namespace riffle::store::jetstream
