// Store: the storage interface under Riffle's core.
//
// The store keeps two keyspaces:
//  - metadata: opaque key/value pairs whose encoding core owns (streams,
//    counters, keys); small, read fully at start-up with ScanMeta();
//  - records: per-shard record batches, one batch per request-and-shard,
//    addressed by (stream incarnation, shard index, sequence counter).
//
// Writes go through Submit(): mutations are applied atomically (one mutation
// is all-or-nothing), in submission order, and made durable according to the
// sync policy before `done` runs. Submit() never blocks on I/O: a writer
// thread drains the queue and commits many mutations with one sync (group
// commit). `done` runs on the writer thread and must not block.
//
// Reads (ReadRecords, the position queries) are synchronous, thread-safe and
// see every mutation whose `done` has run. ReadRecords copies each stored
// record once, into the arena of the RecordsRead it returns.
//
// The store knows nothing of Kinesis names, JSON or HTTP; core decides what
// the counters mean. Formats: docs/storage-format.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_arena.h"
#include "base/status.h"

namespace riffle::store {

// Identifies one shard's record log. `incarnation` is unique per stream
// creation and never reused; `shard_index` is the N in shardId-00000000000N.
struct ShardKey {
  uint64_t incarnation = 0;
  uint32_t shard_index = 0;
  friend bool operator==(const ShardKey&, const ShardKey&) = default;
};

// One record returned by ReadRecords. partition_key and data view bytes held
// by the RecordsRead the record came in.
struct Record {
  uint64_t counter = 0;      // per-shard sequence counter (strictly increasing)
  int64_t arrival_ms = 0;    // approximate arrival time, ms since the epoch
  std::string_view partition_key;
  std::string_view data;
};

// Records of one shard in counter order, and the bytes they view.
struct RecordsRead {
  std::vector<Record> records;
  ByteArena bytes;

  // Appends a record whose bytes are copied into `bytes`.
  void Add(uint64_t counter, int64_t arrival_ms, std::string_view partition_key, std::string_view data) {
    records.push_back({counter, arrival_ms, bytes.Copy(partition_key), bytes.Copy(data)});
  }
  size_t size() const { return records.size(); }
  bool empty() const { return records.empty(); }
  const Record& operator[](size_t i) const { return records[i]; }
  const Record& front() const { return records.front(); }
  const Record& back() const { return records.back(); }
  auto begin() const { return records.begin(); }
  auto end() const { return records.end(); }
};

// Records appended to one shard by one request. Records get consecutive
// counters starting at `first_counter`; all share `arrival_ms`.
// REQUIRES: first_counter is greater than every counter already in the shard,
// and arrival_ms is not smaller than any arrival time already in the shard.
struct AppendBatch {
  ShardKey shard;
  uint64_t first_counter = 0;
  int64_t arrival_ms = 0;
  struct Entry {
    std::string partition_key;
    std::string data;
  };
  std::vector<Entry> entries;  // at least one
};

// One atomic unit of change.
struct Mutation {
  std::vector<AppendBatch> appends;
  std::vector<std::pair<std::string, std::string>> meta_puts;  // metadata key -> value
  std::vector<std::string> meta_deletes;                       // metadata keys
  std::vector<ShardKey> drop_shards;  // delete every record of these shards
};

// Deletes the records of a shard older than a bound (retention).
struct TrimRequest {
  ShardKey shard;
  uint64_t below_counter = 0;  // delete every record with counter < this
};

enum class SyncPolicy {
  kAlways,    // a mutation is synced before `done` runs (default)
  kInterval,  // `done` runs once written to the OS; synced within sync_interval_ms
  kNever,     // written to the OS, never explicitly synced (only on Close())
};

struct Options {
  std::string path;          // data directory; ignored when in_memory
  bool in_memory = false;    // same engine over an in-memory Env
  SyncPolicy sync = SyncPolicy::kAlways;
  int64_t sync_interval_ms = 1000;  // kInterval only; > 0
};

struct ReadLimits {
  uint64_t max_records = 10000;
  uint64_t max_bytes = 10 * 1024 * 1024;  // sum of data + partition key sizes
};

class Store {
 public:
  virtual ~Store() = default;

  // Queues `mutation`; `done` runs (on the writer thread) once it is applied
  // and synced, or failed. Thread-safe. After Close() started, `done` runs
  // with a StorageError status at once.
  virtual void Submit(Mutation mutation, std::function<void(Status)> done) = 0;

  // Every metadata pair whose key starts with `prefix`, in key order.
  virtual StatusOr<std::vector<std::pair<std::string, std::string>>> ScanMeta(
      const std::string& prefix) = 0;

  // Records of `shard` with from <= counter <= to, in counter order, stopping
  // before a record that would pass `limits` (but returning at least one
  // record if any is in range).
  virtual StatusOr<RecordsRead> ReadRecords(ShardKey shard, uint64_t from, uint64_t to,
                                            ReadLimits limits) = 0;

  // Highest counter stored for the shard, if any record is stored.
  virtual StatusOr<std::optional<uint64_t>> LastCounter(ShardKey shard) = 0;
  // Lowest counter stored for the shard, if any.
  virtual StatusOr<std::optional<uint64_t>> FirstCounter(ShardKey shard) = 0;
  // Lowest counter of a record with arrival_ms >= `ms`, if any.
  virtual StatusOr<std::optional<uint64_t>> FirstCounterAtOrAfter(ShardKey shard, int64_t ms) = 0;
  // Arrival time of the oldest record in the shard, if any.
  virtual StatusOr<std::optional<int64_t>> FirstArrival(ShardKey shard) = 0;

  // Deletes old records (not synced by itself; idempotent).
  virtual Status Trim(const TrimRequest& request) = 0;

  // Stops accepting mutations, completes every queued one, syncs, closes.
  // Idempotent. Called before destruction.
  virtual void Close() = 0;
};

// Opens (creating if needed) a RocksDB-backed store.
StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const Options& options);

}  // namespace riffle::store
