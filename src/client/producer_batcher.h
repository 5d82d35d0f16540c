// ProducerBatcher: the Producer's per-shard queues. It aggregates user
// records into KPL aggregated records (RecordAggregator), queues the
// resulting Kinesis records per shard, and hands out PutRecords batches:
// when a queue is full (batch_max_records or batch_max_bytes), when its
// oldest record waited max_buffered_time, or after FlushAll — and never more
// than max_in_flight_per_shard per shard until Done(). Pure logic, no
// threads or I/O; thread-compatible (the Producer locks around it).
// Internal to libriffle-kinesis.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/hash_key.h"
#include "riffle/kinesis/aggregation.h"
#include "riffle/kinesis/error.h"
#include "riffle/kinesis/producer.h"

namespace riffle::kinesis::internal {

using ProducerClock = std::chrono::steady_clock;

// One user record between Add and its outcome.
struct PendingRecord {
  UserRecord record;
  HashKey hash = 0;
  std::function<void(Result<RecordReceipt>)> done;
  ProducerClock::time_point expires;
  size_t bytes = 0;  // partition key + data, for the memory bound
  int attempts = 0;
  std::optional<Error> last_error;  // of the latest failed attempt
};
using PendingPtr = std::shared_ptr<PendingRecord>;

// One Kinesis record to put: an aggregated record, or a user record alone.
struct KinesisEntry {
  std::string data;
  std::string partition_key;
  std::optional<std::string> explicit_hash_key;
  std::vector<PendingPtr> members;  // in sub-sequence order
  size_t bytes() const { return data.size() + partition_key.size(); }
  bool aggregated() const { return members.size() > 1; }
};

// One PutRecords: entries of one (predicted) shard.
struct Batch {
  std::string shard_id;
  std::vector<KinesisEntry> entries;
};

class ProducerBatcher {
 public:
  struct Limits {
    bool aggregate = true;
    size_t aggregation_max_bytes = 51200;
    size_t aggregation_max_count = 4294967295u;
    size_t batch_max_records = 500;
    size_t batch_max_bytes = 5u << 20;
    std::chrono::milliseconds max_buffered_time{100};
    size_t max_in_flight_per_shard = 1;
  };
  explicit ProducerBatcher(Limits limits) : limits_(limits) {}

  // Queues `record` for shard `shard_id`.
  void Add(const std::string& shard_id, PendingPtr record, ProducerClock::time_point now);
  // Makes every queue due now.
  void FlushAll(ProducerClock::time_point now);
  // Batches due by `now`, at most `budget` of them.
  std::vector<Batch> TakeReady(ProducerClock::time_point now, size_t budget);
  // A batch of `shard_id` taken earlier completed.
  void Done(const std::string& shard_id);
  // When the next queue falls due (nullopt: nothing buffered, or only
  // queues waiting for their in-flight batch).
  std::optional<ProducerClock::time_point> NextDeadline() const;
  // User records held (not yet handed out in a batch).
  size_t buffered_records() const;

 private:
  struct Queue {
    RecordAggregator aggregator;
    std::vector<PendingPtr> aggregating;  // the records in `aggregator`
    std::deque<KinesisEntry> ready;
    size_t ready_bytes = 0;
    std::optional<ProducerClock::time_point> deadline;
    size_t in_flight = 0;
    bool empty() const { return aggregating.empty() && ready.empty(); }
    bool full(const Limits& l) const { return ready.size() >= l.batch_max_records || ready_bytes >= l.batch_max_bytes; }
  };
  void Seal(Queue& q);
  void PushAlone(Queue& q, PendingPtr record);

  const Limits limits_;
  std::map<std::string, Queue> queues_;
};

}  // namespace riffle::kinesis::internal
