// Reader: reads of record logs through pooled JetStream pull consumers.
//
// Sequential readers (GetRecords loops, SubscribeToShard) are the common
// case, so a consumer (ephemeral, AckNone, memory storage, R1, removed by the
// server after InactiveThreshold) is kept after a read, keyed by its log and
// the sequence it will deliver next, with the messages it fetched beyond the
// read; the next read from there reuses it. At most max_read_consumers are
// kept (the least recently used go). A consumer may live on a replica that
// lags the leader, so a read that finds nothing more asks the leader for the
// log's last sequence before it reports at_end: a record whose append
// completed before the read began is always returned. A read is checked
// against the leader, and read again elsewhere when a replica disagrees
// (leader_read.h). A read ends at the log's end marker, if it has one
// (docs/storage-format.md): messages above it are not the log's. A read that
// stops at its limits with more in the log asks for the next read's
// messages before it returns (within a budget of kReadAheadBytes for all
// cursors), so a GetRecords loop's next call finds them on their way.
//
// Thread-safe; Read() runs on the executor and never blocks its caller.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "store/jetstream/connection.h"
#include "store/jetstream/executor.h"
#include "store/jetstream/log_admin.h"
#include "store/jetstream/nats_ptr.h"
#include "store/store.h"

namespace riffle::store::jetstream {

class Reader {
 public:
  Reader(Connection* connection, Executor* executor, LogAdmin* admin, const JetStreamOptions& options);
  ~Reader();

  void Read(ShardKey shard, uint64_t from, ReadLimits limits, std::function<void(StatusOr<LogRead>)> done);
  StatusOr<LogRead> ReadNow(ShardKey shard, uint64_t from, const ReadLimits& limits);
  // Blocks.
  StatusOr<uint64_t> FindByArrival(ShardKey shard, int64_t ms);
  // Destroys the pooled consumers of a log (dropped).
  void Forget(ShardKey shard);

 private:
  // A pull consumer read with its own requests ("$JS.API.CONSUMER.MSG.NEXT",
  // no_wait) into a private inbox: cnats 3.4.1's fetch overruns its message
  // list when messages of an earlier fetch are still queued (ASan).
  struct Cursor {
    ShardKey shard;
    std::string next_subject;  // the consumer's MSG.NEXT subject
    std::string inbox;              // request n is answered on `<inbox>.<n>`
    uint64_t requests = 0;
    NatsPtr<natsSubscription> sub;  // on `<inbox>.*`
    uint64_t next_seq = 0;        // the next sequence the consumer delivers
    struct Fetched {
      uint64_t seq = 0;      // stream sequence
      uint64_t pending = 0;  // messages after it when it was delivered
      std::shared_ptr<natsMsg> msg;  // shared with the reads that view its records
    };
    std::deque<Fetched> buffered;  // fetched, not read yet
    uint64_t last_seq = 0;        // the last message read completely, and
    uint64_t last_end = 0;        //   one past its last counter
    uint64_t pending = 0;         // messages after the last one fetched, then
    int64_t last_used_ms = 0;
    bool suspect = false;  // its replica lagged the leader past the wait
    // A pull request sent ahead of the next read (its number; 0: none), and
    // the bytes it holds of the reader's read-ahead budget.
    uint64_t ahead = 0;
    int64_t ahead_bytes = 0;
    std::atomic<int64_t>* budget = nullptr;
    ~Cursor();
    uint64_t position() const;
  };
  using CursorPtr = std::unique_ptr<Cursor>;
  enum class Start { kSequence, kTime };

  // A pooled cursor that delivers stream sequence `seq` next, or one past
  // it whose last message was `seq` and ended at or before counter `from`
  // (a read that ended at a message's end continues from there), or a new one.
  // `*created` when it is a new one.
  StatusOr<CursorPtr> Checkout(ShardKey shard, uint64_t seq, uint64_t from, bool* created);
  StatusOr<CursorPtr> NewCursor(ShardKey shard, Start start, uint64_t seq, int64_t time_ms);
  // One read through a consumer (a new one when `fresh`), checked against
  // the leader; `*suspect` when it failed because the consumer's replica
  // disagrees with the leader or lags it.
  // FindByArrival through one new consumer, checked against the leader.
  StatusOr<uint64_t> FindByArrivalOnce(ShardKey shard, int64_t ms, bool* suspect);
  StatusOr<LogRead> ReadThroughConsumer(ShardKey shard, uint64_t from, const ReadLimits& limits, bool fresh,
                                        bool* suspect);
  // The log's end, reached at its end marker (stream sequence `marker`).
  StatusOr<uint64_t> EndAtMarker(const Cursor& cursor, uint64_t marker);
  void Return(CursorPtr cursor);
  // Fetches up to `batch` messages available now into the cursor.
  Status Fetch(Cursor& cursor, int batch, int64_t max_bytes);
  // One pull request (the one sent ahead, if any); false when nothing answered it.
  StatusOr<bool> Pull(Cursor& cursor, int batch, int64_t max_bytes);
  // After a read that stopped at its limits with more to read: asks for up
  // to `max_bytes` more now, so the next read finds them arriving.
  void ReadAhead(Cursor& cursor, int64_t max_bytes);
  // Whether the cursor delivered everything the leader has (`*info` gets
  // the leader's stream info); waits a little for a lagging replica.
  StatusOr<bool> CaughtUp(Cursor& cursor, NatsPtr<jsStreamInfo>* info);

  Connection* connection_;
  Executor* executor_;
  LogAdmin* admin_;
  const JetStreamOptions& options_;
  std::atomic<int64_t> ahead_budget_;  // bytes all cursors may still read ahead
  std::mutex mu_;
  std::multimap<std::pair<ShardKey, uint64_t>, CursorPtr> idle_;
};

}  // namespace riffle::store::jetstream
