// LogTable: the RocksDB store's shard logs — which exist, where each one's
// counters are, how far it is readable, and whether it is sealed.
//
// Each log has a log record in the `default` column family (format:
// docs/storage-format.md, "Log records") holding its first counter, creation
// time and, once sealed, its end. The counters themselves are not stored:
// at open a log's next counter is the larger of its first counter and one past
// the highest counter in `records` (or its sealed end).
//
// LogState is shared by the appending threads (which assign counters under
// its mutex and queue their write while holding it, so queue order is counter
// order), the writer thread (which raises `readable_end` once a write is
// committed) and readers (which read the atomics without the mutex).
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::rocksdb_store {

struct LogState {
  explicit LogState(ShardKey key) : shard(key) {}
  const ShardKey shard;

  std::mutex mu;
  // Guarded by mu:
  uint64_t first_counter = 1;
  int64_t created_ms = 0;
  uint64_t next_counter = 1;     // next counter to assign
  int64_t last_arrival_ms = 0;   // arrival times never go backwards in a log
  bool sealed = false;
  uint64_t sealed_end = 0;
  bool dropped = false;

  // Every counter below this is settled: committed, or failed and never to be
  // readable. Only rises.
  std::atomic<uint64_t> readable_end{1};
  // Every counter below this is past retention: never returned. Only rises.
  std::atomic<uint64_t> trim_end{0};

  void RaiseReadableEnd(uint64_t end) { Raise(readable_end, end); }
  void RaiseTrimEnd(uint64_t end) { Raise(trim_end, end); }

 private:
  static void Raise(std::atomic<uint64_t>& a, uint64_t v) {
    uint64_t current = a.load();
    while (current < v && !a.compare_exchange_weak(current, v)) {
    }
  }
};

// A log record's value (docs/storage-format.md).
struct LogRecord {
  uint64_t first_counter = 1;
  int64_t created_ms = 0;
  bool sealed = false;
  uint64_t sealed_end = 0;
};
inline constexpr char kLogRecordPrefix[] = "log/";
std::string LogRecordKey(ShardKey shard);
std::optional<ShardKey> DecodeLogRecordKey(std::string_view key);
std::string EncodeLogRecord(const LogRecord& record);
StatusOr<LogRecord> DecodeLogRecord(std::string_view value);

class LogTable {
 public:
  // The log, or nullptr when there is none.
  std::shared_ptr<LogState> Find(ShardKey shard) const;
  // The log, created (not persisted: the caller writes its record) if absent.
  // `created` tells which.
  std::shared_ptr<LogState> FindOrAdd(ShardKey shard, bool* created);
  void Remove(ShardKey shard);
  std::vector<std::shared_ptr<LogState>> All() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<ShardKey, std::shared_ptr<LogState>> logs_;  // guarded by mu_
};

}  // namespace riffle::store::rocksdb_store
