// RocksDbStore: the class behind rocksdb_store.h, shared by its
// implementation files only (rocksdb_store.cc: opening and closing;
// rocksdb_store_meta.cc: metadata; rocksdb_store_logs.cc: record logs).
#pragma once

#include <array>
#include <exception>
#include <atomic>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "store/memory/meta_table.h"
#include "store/rocksdb/log_table.h"
#include "store/rocksdb/record_reader.h"
#include "store/rocksdb/rocksdb_store.h"
#include "store/rocksdb/write_ops.h"

namespace rocksdb {
class Cache;
class ColumnFamilyHandle;
class DB;
class Env;
}  // namespace rocksdb

namespace riffle::store::rocksdb_store {

// Runs `fn`, turning any exception into a StorageError so none escapes.
template <typename T, typename Fn>
StatusOr<T> Guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::StorageError(std::string("store failure: ") + e.what());
  } catch (...) {
    return Status::StorageError("store failure");
  }
}

class ManifestRecorder;
class SpaceReclaimer;
class Writer;

class RocksDbStore final : public Store {
 public:
  RocksDbStore();
  ~RocksDbStore() override;

  Status Init(const Options& options, const Tuning& tuning);

  // Metadata (rocksdb_store_meta.cc).
  StatusOr<std::vector<MetaEntry>> ScanMeta(const std::string& prefix) override;
  StatusOr<std::optional<MetaEntry>> GetMeta(const std::string& key, bool ephemeral) override;
  void WriteMeta(MetaWrite write, std::function<void(StatusOr<uint64_t>)> done) override;
  void SetMetaObserver(std::function<void(const MetaChange&)> observer) override;
  Status SyncMeta() override { return Status::Ok(); }  // one process: the observer runs before each write is answered

  // Record logs (rocksdb_store_logs.cc).
  Status CreateLog(ShardKey shard, const LogOptions& options) override;
  StatusOr<uint64_t> SealLog(ShardKey shard) override;
  Status DropLog(ShardKey shard) override;
  StatusOr<std::vector<LogInfo>> ListLogs() override;
  void Append(std::vector<AppendBatch> batches, std::function<void(std::vector<AppendResult>)> done) override;
  void Read(ShardKey shard, uint64_t from, ReadLimits limits, std::function<void(StatusOr<LogRead>)> done) override;
  void Bounds(ShardKey shard, std::function<void(StatusOr<LogBounds>)> done) override;
  void FindByArrival(ShardKey shard, int64_t ms, std::function<void(StatusOr<uint64_t>)> done) override;
  StatusOr<uint64_t> TrimBefore(ShardKey shard, int64_t cutoff_ms) override;
  void SetAppendObserver(std::function<void(ShardKey)> observer) override;
  void WatchAppends(ShardKey, bool) override {}  // every append goes through this object
  // The largest record Kinesis allows (10 MiB with UpdateMaxRecordSize), with room to spare.
  uint64_t MaxRecordBytes() const override { return uint64_t{16} << 20; }

  Status Ready() override;
  std::optional<WriteStats> Stats() const override;
  std::vector<uint64_t> ApproximateLogBytes(std::span<const ShardKey> shards) override;
  Status Checkpoint(const std::string& dir) override;
  void Close() override;

 private:
  Status CheckFormat();
  // Loads the metadata and the log records (rocksdb_store_logs.cc).
  Status LoadMeta();
  Status LoadLogs();
  // Queues `mutation` and waits for it.
  Status WriteAndWait(PreparedMutation mutation);
  rocksdb::ColumnFamilyHandle* cf(Cf which) const { return handles_[static_cast<size_t>(which)]; }
  RecordCfs record_cfs() const { return RecordCfs{db_.get(), cf(Cf::kRecords), cf(Cf::kTimeIndex)}; }
  // The log's readable bounds: [first, end). REQUIRES: mu_ held shared.
  StatusOr<LogBounds> BoundsLocked(const LogState& log);

  // Declaration order is destruction order in reverse: the Envs outlive the
  // DB, and the memory Env (in memory only) the one over it (WholeFileFs).
  std::unique_ptr<rocksdb::Env> mem_env_;
  std::unique_ptr<rocksdb::Env> env_;
  std::shared_ptr<rocksdb::Cache> cache_;
  SyncPolicy sync_ = SyncPolicy::kAlways;

  // Guards db_ against Close(): readers hold it shared, Close() exclusive.
  std::shared_mutex mu_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kNumCfs> handles_{};
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<SpaceReclaimer> reclaimer_;  // started after the writer, stopped after it
  // Deleted streams' ranges are also compacted (on disk). In memory only whole
  // table files are dropped: RocksDB 7.8 leaks a manual compaction's state
  // when the process ends with one scheduled (seen by LeakSanitizer in the
  // in-memory fuzz harness).
  bool compact_dropped_ = true;
  std::shared_ptr<ManifestRecorder> recorder_;  // null in memory
  std::atomic<bool> closed_{false};

  MetaTable meta_;
  LogTable logs_;
  std::function<void(const MetaChange&)> meta_observer_;  // set before use
  std::function<void(ShardKey)> append_observer_;         // set before use
};

}  // namespace riffle::store::rocksdb_store
