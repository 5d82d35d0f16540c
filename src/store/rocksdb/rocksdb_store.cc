#include "store/rocksdb/rocksdb_store.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include "store/rocksdb/batch_codec.h"
#include "store/rocksdb/data_dir.h"
#include "store/rocksdb/info_log.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/manifest_mark.h"
#include "store/rocksdb/manifest_recorder.h"
#include "store/rocksdb/space_errors.h"
#include "store/rocksdb/write_ops.h"
#include "store/rocksdb/space_reclaimer.h"
#include "store/rocksdb/whole_file_fs.h"
#include "store/rocksdb/writer.h"

namespace riffle::store {
namespace rocksdb_store {
namespace {

// Path of the database inside the in-memory Env (any absolute path works).
constexpr char kInMemoryPath[] = "/riffle-in-memory";

Status ReadError(const rocksdb::Status& s) {
  return Status::StorageError("rocksdb read failed: " + s.ToString());
}

std::string ShardName(ShardKey shard) {
  return "incarnation " + std::to_string(shard.incarnation) + " shard " +
         std::to_string(shard.shard_index);
}

Status BatchError(const Status& s, ShardKey shard, uint64_t first_counter) {
  return Status::StorageError(s.message() + " (" + ShardName(shard) + ", batch at counter " +
                              std::to_string(first_counter) + ")");
}

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

// A key range [lower, upper) that the iterator must stay in. Owns the bytes
// the ReadOptions point to.
struct Bounds {
  Bounds(std::string lo, std::string up) : lower(std::move(lo)), upper(std::move(up)) {}
  Bounds(const Bounds&) = delete;
  Bounds& operator=(const Bounds&) = delete;
  std::string lower;
  std::string upper;
  rocksdb::Slice lower_slice{lower};
  rocksdb::Slice upper_slice{upper};
  rocksdb::ReadOptions Options() const {
    rocksdb::ReadOptions o;
    o.iterate_lower_bound = &lower_slice;
    o.iterate_upper_bound = &upper_slice;
    return o;
  }
};

std::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

rocksdb::ColumnFamilyOptions CfOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                       size_t write_buffer, const Tuning& tuning,
                                       size_t block_size, bool compress) {
  rocksdb::ColumnFamilyOptions o;
  o.write_buffer_size = write_buffer;
  o.max_write_buffer_number = tuning.max_write_buffers;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = block_size;
  table.cache_index_and_filter_blocks = true;  // index memory counts against the cache
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.compression = rocksdb::kNoCompression;
  if (compress) {
    std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
    if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) !=
        supported.end()) {
      o.compression = rocksdb::kLZ4Compression;
    }
  }
  return o;
}

class RocksDbStore final : public Store {
 public:
  RocksDbStore() = default;
  ~RocksDbStore() override { Close(); }

  Status Init(const Options& options, const Tuning& tuning);

  void Submit(Mutation mutation, std::function<void(Status)> done) override;
  StatusOr<std::vector<std::pair<std::string, std::string>>> ScanMeta(
      const std::string& prefix) override;
  StatusOr<RecordsRead> ReadRecords(ShardKey shard, uint64_t from, uint64_t to,
                                    ReadLimits limits) override;
  StatusOr<std::optional<uint64_t>> LastCounter(ShardKey shard) override;
  StatusOr<std::optional<uint64_t>> FirstCounter(ShardKey shard) override;
  StatusOr<std::optional<uint64_t>> FirstCounterAtOrAfter(ShardKey shard, int64_t ms) override;
  StatusOr<std::optional<int64_t>> FirstArrival(ShardKey shard) override;
  Status Trim(const TrimRequest& request) override;
  void Close() override;

 private:
  Status CheckFormat();
  rocksdb::ColumnFamilyHandle* cf(Cf which) const { return handles_[static_cast<size_t>(which)]; }
  Status ReadRecordsLocked(ShardKey shard, uint64_t from, uint64_t to, ReadLimits limits,
                           RecordsRead* out);
  Status TrimLocked(const TrimRequest& request);

  // Declaration order is destruction order in reverse: the Envs outlive the
  // DB, and the memory Env (in memory only) the one over it (WholeFileFs).
  std::unique_ptr<rocksdb::Env> mem_env_;
  std::unique_ptr<rocksdb::Env> env_;
  std::shared_ptr<rocksdb::Cache> cache_;
  SyncPolicy sync_ = SyncPolicy::kAlways;

  // Guards db_ against Close(): readers hold it shared, Close() exclusive.
  std::shared_mutex mu_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kNumCfs> handles_{};
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<SpaceReclaimer> reclaimer_;  // started after the writer, stopped after it
  // Deleted streams' ranges are also compacted (on disk). In memory only whole
  // table files are dropped: RocksDB 7.8 leaks a manual compaction's state
  // when the process ends with one scheduled (seen by LeakSanitizer in the
  // in-memory fuzz harness).
  bool compact_dropped_ = true;
  std::shared_ptr<ManifestRecorder> recorder_;  // null in memory
};

Status RocksDbStore::Init(const Options& options, const Tuning& tuning) {
  sync_ = options.sync;
  if (sync_ == SyncPolicy::kInterval && options.sync_interval_ms <= 0) {
    return Status::StorageError("the sync interval must be positive");
  }
  std::string path = options.path;
  rocksdb::DBOptions db_options;
  if (tuning.env != nullptr) {
    db_options.env = tuning.env;
  }
  if (options.in_memory) {
    mem_env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    if (!mem_env_) return Status::StorageError("cannot create the in-memory environment");
    env_ = rocksdb::NewCompositeEnv(std::make_shared<WholeFileFs>(mem_env_->GetFileSystem()));
    if (!env_) return Status::StorageError("cannot create the in-memory environment");
    db_options.env = env_.get();
    path = kInMemoryPath;
  } else {
    if (path.empty()) return Status::StorageError("no data directory given");
    if (Status dir = CheckDataDir(path); !dir.ok()) return dir;
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
      return Status::StorageError("cannot create data directory " + path + ": " + ec.message());
    }
  }
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = tuning.max_background_jobs;
  db_options.max_total_wal_size = tuning.max_total_wal_bytes;
  db_options.bytes_per_sync = 1 << 20;
  if (!options.in_memory && tuning.env == nullptr) {
    // Not RocksDB's own file logger: it aborts on its next line after a
    // failed write (a full disk) in assertion-enabled builds (info_log.h).
    db_options.info_log = std::make_shared<InfoLog>(path, 16 << 20);
  }
  // No automatic recovery thread: the writer calls Resume() itself between
  // batches (writer.h), so recovery never races a write.
  db_options.max_bgerror_resume_count = 0;
  db_options.listeners = tuning.listeners;
  db_options.listeners.push_back(std::make_shared<SpaceErrorListener>());
  if (!options.in_memory) {
    // Before DB::Open, which deletes the table files a damaged MANIFEST
    // no longer names (manifest_mark.h).
    rocksdb::Env* env = db_options.env != nullptr ? db_options.env : rocksdb::Env::Default();
    std::shared_ptr<rocksdb::FileSystem> fs = env->GetFileSystem();
    if (Status mark = CheckManifestMark(fs.get(), path); !mark.ok()) return mark;
    recorder_ = std::make_shared<ManifestRecorder>(fs, path, db_options.info_log);
    db_options.listeners.push_back(recorder_);
  }

  if (tuning.block_cache_bytes < kMinBlockCacheBytes) {
    return Status::StorageError("the block cache must be at least 1 MiB");
  }
  if (tuning.memtable_budget_bytes < kMinMemtableBudgetBytes) {
    return Status::StorageError("the memtable budget must be at least 8 MiB");
  }
  // No write stall at the budget (allow_stall): a stalled write would wait for
  // a flush that a full disk never finishes; the writer must get the error.
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(tuning.memtable_budget_bytes);
  cache_ = rocksdb::NewLRUCache(tuning.block_cache_bytes);
  const size_t small = tuning.small_write_buffer_bytes;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, CfOptions(cache_, 1 << 20, tuning, 4096, false)},
      {kMetaColumnFamily, CfOptions(cache_, small, tuning, 4096, false)},
      {kRecordsColumnFamily,
       CfOptions(cache_, tuning.memtable_budget_bytes / 2, tuning, 32 << 10, true)},
      {kTimeIndexColumnFamily, CfOptions(cache_, small, tuning, 4096, false)},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
  if (!s.ok()) {
    std::string message = "cannot open store at " + path + ": " + s.ToString();
    const std::string text = s.ToString();
    if (s.IsIOError() && (text.find("While lock file") != std::string::npos ||
                          text.find("lock hold by current process") != std::string::npos)) {
      message += " (is another riffle process using this data directory?)";
    }
    return Status::StorageError(message);
  }
  db_.reset(raw);
  default_cf_ = handles[0];
  handles_[static_cast<size_t>(Cf::kMeta)] = handles[1];
  handles_[static_cast<size_t>(Cf::kRecords)] = handles[2];
  handles_[static_cast<size_t>(Cf::kTimeIndex)] = handles[3];
  if (Status format = CheckFormat(); !format.ok()) {
    Close();
    return format;
  }
  if (recorder_) {
    recorder_->Arm();
    // A failure (a full disk) leaves the previous mark, which only understates.
    if (Status mark = recorder_->Record(db_.get()); !mark.ok() && db_options.info_log) {
      rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, db_options.info_log, "riffle: %s",
                   mark.message().c_str());
    }
  }
  writer_ = std::make_unique<Writer>(db_.get(), handles_, sync_,
                                     std::chrono::milliseconds(options.sync_interval_ms),
                                     /*write_wal=*/!options.in_memory);
  reclaimer_ = std::make_unique<SpaceReclaimer>(db_.get());
  compact_dropped_ = !options.in_memory;
  return Status::Ok();
}

Status RocksDbStore::CheckFormat() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), default_cf_, kFormatVersionKey, &value);
  if (s.IsNotFound()) {
    // New only if empty (creation interrupted before the version was
    // written); keys without a version belong to some other program.
    for (rocksdb::ColumnFamilyHandle* cf : {default_cf_, handles_[0], handles_[1], handles_[2]}) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
      it->SeekToFirst();
      if (!it->status().ok()) return ReadError(it->status());
      if (it->Valid()) {
        return Status::StorageError(
            "the database holds data but no Riffle store format version: not a Riffle store");
      }
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    std::string version(1, static_cast<char>(kStoreFormatVersion));
    s = db_->Put(wo, default_cf_, kFormatVersionKey, version);
    if (!s.ok()) return Status::StorageError("cannot write store format: " + s.ToString());
    return Status::Ok();
  }
  if (!s.ok()) return ReadError(s);
  if (value.size() != 1 || static_cast<uint8_t>(value[0]) != kStoreFormatVersion) {
    return Status::StorageError(
        "unsupported store format " +
        (value.size() == 1 ? std::to_string(static_cast<uint8_t>(value[0])) : "(malformed)") +
        "; this riffle reads format " + std::to_string(kStoreFormatVersion));
  }
  return Status::Ok();
}

void RocksDbStore::Submit(Mutation mutation, std::function<void(Status)> done) {
  if (!mutation.drop_shards.empty() && reclaimer_) {
    // Once the shards' records are deleted, their disk space is given back.
    done = [this, dropped = mutation.drop_shards, done = std::move(done)](Status s) {
      if (s.ok()) {
        for (const ShardKey& shard : dropped) {
          reclaimer_->Reclaim(cf(Cf::kRecords), ShardPrefix(shard), RecordKeyEnd(shard), compact_dropped_);
          reclaimer_->Reclaim(cf(Cf::kTimeIndex), ShardPrefix(shard), TimeKeyEnd(shard), compact_dropped_);
        }
      }
      if (done) done(s);
    };
  }
  StatusOr<PreparedMutation> prepared =
      Guarded<PreparedMutation>([&] { return PrepareMutation(std::move(mutation)); });
  if (!writer_) {
    if (done) done(Status::StorageError("store is closed"));
    return;
  }
  writer_->Submit(std::move(prepared), std::move(done));
}

StatusOr<std::vector<std::pair<std::string, std::string>>> RocksDbStore::ScanMeta(
    const std::string& prefix) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  return Guarded<Pairs>([&]() -> StatusOr<Pairs> {
    std::shared_lock lock(mu_);
    if (!db_) return Status::StorageError("store is closed");
    std::optional<std::string> end = PrefixSuccessor(prefix);
    rocksdb::Slice end_slice;
    rocksdb::ReadOptions ro;
    if (end) {
      end_slice = rocksdb::Slice(*end);
      ro.iterate_upper_bound = &end_slice;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(Cf::kMeta)));
    Pairs out;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      if (!it->key().starts_with(prefix)) break;
      out.emplace_back(it->key().ToString(), it->value().ToString());
    }
    if (!it->status().ok()) return ReadError(it->status());
    return out;
  });
}

StatusOr<RecordsRead> RocksDbStore::ReadRecords(ShardKey shard, uint64_t from, uint64_t to,
                                                ReadLimits limits) {
  return Guarded<RecordsRead>([&]() -> StatusOr<RecordsRead> {
    std::shared_lock lock(mu_);
    if (!db_) return Status::StorageError("store is closed");
    RecordsRead out;
    RIFFLE_RETURN_IF_ERROR(ReadRecordsLocked(shard, from, to, limits, &out));
    return out;
  });
}

Status RocksDbStore::ReadRecordsLocked(ShardKey shard, uint64_t from, uint64_t to,
                                       ReadLimits limits, RecordsRead* out) {
  if (from > to) return Status::Ok();
  Bounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
  rocksdb::ReadOptions ro = bounds.Options();
  ro.adaptive_readahead = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(Cf::kRecords)));
  const std::string target = RecordKey(shard, from);
  it->SeekForPrev(target);  // the batch that may hold `from`
  if (!it->Valid()) {
    if (!it->status().ok()) return ReadError(it->status());
    it->Seek(target);
  }
  uint64_t bytes = 0;
  for (; it->Valid(); it->Next()) {
    std::optional<DecodedRecordKey> key = DecodeRecordKey(View(it->key()));
    if (!key) return Status::StorageError("corrupt record key in " + ShardName(shard));
    const uint64_t first = key->first_counter;
    if (first > to) break;
    BatchReader reader;
    if (Status s = reader.Init(View(it->value())); !s.ok()) return BatchError(s, shard, first);
    const uint64_t count = reader.record_count();
    if (first > UINT64_MAX - (count - 1)) {
      return BatchError(Status::StorageError("corrupt record batch: counter overflow"), shard,
                        first);
    }
    if (first + (count - 1) < from) continue;
    const int64_t arrival = reader.arrival_ms();
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t counter = first + i;
      std::string_view pk, data;
      if (!reader.Next(&pk, &data)) return BatchError(reader.status(), shard, first);
      if (counter < from) continue;
      if (counter > to) return Status::Ok();
      const uint64_t size = pk.size() + data.size();
      if (!out->empty() && (out->size() >= limits.max_records || bytes + size > limits.max_bytes)) {
        return Status::Ok();
      }
      bytes += size;
      out->Add(counter, arrival, pk, data);
    }
  }
  if (!it->status().ok()) return ReadError(it->status());
  return Status::Ok();
}

StatusOr<std::optional<uint64_t>> RocksDbStore::LastCounter(ShardKey shard) {
  using Result = std::optional<uint64_t>;
  return Guarded<Result>([&]() -> StatusOr<Result> {
    std::shared_lock lock(mu_);
    if (!db_) return Status::StorageError("store is closed");
    Bounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounds.Options(), cf(Cf::kRecords)));
    it->SeekToLast();
    if (!it->Valid()) {
      if (!it->status().ok()) return ReadError(it->status());
      return Result();
    }
    std::optional<DecodedRecordKey> key = DecodeRecordKey(View(it->key()));
    if (!key) return Status::StorageError("corrupt record key in " + ShardName(shard));
    BatchReader reader;
    if (Status s = reader.Init(View(it->value())); !s.ok()) {
      return BatchError(s, shard, key->first_counter);
    }
    return Result(key->first_counter + (reader.record_count() - 1));
  });
}

StatusOr<std::optional<uint64_t>> RocksDbStore::FirstCounter(ShardKey shard) {
  using Result = std::optional<uint64_t>;
  return Guarded<Result>([&]() -> StatusOr<Result> {
    std::shared_lock lock(mu_);
    if (!db_) return Status::StorageError("store is closed");
    Bounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounds.Options(), cf(Cf::kRecords)));
    it->SeekToFirst();
    if (!it->Valid()) {
      if (!it->status().ok()) return ReadError(it->status());
      return Result();
    }
    std::optional<DecodedRecordKey> key = DecodeRecordKey(View(it->key()));
    if (!key) return Status::StorageError("corrupt record key in " + ShardName(shard));
    return Result(key->first_counter);
  });
}

StatusOr<std::optional<uint64_t>> RocksDbStore::FirstCounterAtOrAfter(ShardKey shard,
                                                                      int64_t ms) {
  using Result = std::optional<uint64_t>;
  return Guarded<Result>([&]() -> StatusOr<Result> {
    std::shared_lock lock(mu_);
    if (!db_) return Status::StorageError("store is closed");
    Bounds bounds(ShardPrefix(shard), TimeKeyEnd(shard));
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(bounds.Options(), cf(Cf::kTimeIndex)));
    it->Seek(TimeKey(shard, ms, 0));
    if (!it->Valid()) {
      if (!it->status().ok()) return ReadError(it->status());
      return Result();
    }
    std::optional<DecodedTimeKey> key = DecodeTimeKey(View(it->key()));
    if (!key) return Status::StorageError("corrupt time index key in " + ShardName(shard));
    return Result(key->first_counter);
  });
}

StatusOr<std::optional<int64_t>> RocksDbStore::FirstArrival(ShardKey shard) {
  using Result = std::optional<int64_t>;
  return Guarded<Result>([&]() -> StatusOr<Result> {
    std::shared_lock lock(mu_);
    if (!db_) return Status::StorageError("store is closed");
    Bounds bounds(ShardPrefix(shard), TimeKeyEnd(shard));
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(bounds.Options(), cf(Cf::kTimeIndex)));
    it->SeekToFirst();
    if (!it->Valid()) {
      if (!it->status().ok()) return ReadError(it->status());
      return Result();
    }
    std::optional<DecodedTimeKey> key = DecodeTimeKey(View(it->key()));
    if (!key) return Status::StorageError("corrupt time index key in " + ShardName(shard));
    return Result(key->arrival_ms);
  });
}

Status RocksDbStore::Trim(const TrimRequest& request) {
  StatusOr<bool> result = Guarded<bool>([&]() -> StatusOr<bool> {
    std::shared_lock lock(mu_);
    if (!db_) return Status::StorageError("store is closed");
    RIFFLE_RETURN_IF_ERROR(TrimLocked(request));
    return true;
  });
  return result.ok() ? Status::Ok() : result.status();
}

// Deletes the batches wholly below the bound. Only ranges ending at a batch
// this call has seen are deleted, so batches appended concurrently (always
// above) are never touched.
Status RocksDbStore::TrimLocked(const TrimRequest& request) {
  const ShardKey shard = request.shard;
  if (request.below_counter == 0) return Status::Ok();
  Bounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounds.Options(), cf(Cf::kRecords)));
  it->SeekForPrev(RecordKey(shard, request.below_counter - 1));
  if (!it->Valid()) return it->status().ok() ? Status::Ok() : ReadError(it->status());
  std::optional<DecodedRecordKey> key = DecodeRecordKey(View(it->key()));
  if (!key) return Status::StorageError("corrupt record key in " + ShardName(shard));
  BatchReader reader;
  if (Status s = reader.Init(View(it->value())); !s.ok()) {
    return BatchError(s, shard, key->first_counter);
  }
  const uint64_t first = key->first_counter;  // < below_counter
  const uint64_t last = first + (reader.record_count() - 1);
  std::string records_end, times_end;
  if (last < request.below_counter) {
    // This batch and all before it go.
    records_end = RecordKey(shard, first + 1);
    times_end = TimeKey(shard, reader.arrival_ms(), first + 1);
  } else {
    // This batch straddles the bound and stays; delete what is before it.
    it->Prev();
    if (!it->Valid()) return it->status().ok() ? Status::Ok() : ReadError(it->status());
    records_end = RecordKey(shard, first);
    times_end = TimeKey(shard, reader.arrival_ms(), first);
  }
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.DeleteRange(cf(Cf::kRecords), bounds.lower, records_end);
  if (s.ok()) s = batch.DeleteRange(cf(Cf::kTimeIndex), bounds.lower, times_end);
  if (s.ok()) s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return Status::StorageError("rocksdb trim failed: " + s.ToString());
  // Table files wholly before the new horizon go at once; the rest with the
  // regular compactions (compacting every shard's range at every trim would
  // rewrite the same files over and over).
  if (reclaimer_) {
    reclaimer_->Reclaim(cf(Cf::kRecords), std::string(bounds.lower), std::move(records_end), false);
    reclaimer_->Reclaim(cf(Cf::kTimeIndex), std::string(bounds.lower), std::move(times_end), false);
  }
  return Status::Ok();
}

void RocksDbStore::Close() {
  if (writer_) writer_->Stop();  // applies everything queued
  if (reclaimer_) reclaimer_->Stop();
  std::unique_lock lock(mu_);
  if (!db_) return;
  // Trim writes and (with kInterval/kNever) appends are not synced yet.
  (void)SyncWalWithWrite(db_.get());
  if (recorder_) (void)recorder_->Record(db_.get());
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    if (h) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  handles_ = {};
  if (default_cf_) db_->DestroyColumnFamilyHandle(default_cf_).PermitUncheckedError();
  default_cf_ = nullptr;
  db_->Close().PermitUncheckedError();
  db_.reset();
}

}  // namespace

StatusOr<std::unique_ptr<Store>> Open(const Options& options, const Tuning& tuning) {
  return Guarded<std::unique_ptr<Store>>([&]() -> StatusOr<std::unique_ptr<Store>> {
    auto store = std::make_unique<RocksDbStore>();
    RIFFLE_RETURN_IF_ERROR(store->Init(options, tuning));
    return std::unique_ptr<Store>(std::move(store));
  });
}

}  // namespace rocksdb_store

StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const Options& options) {
  return rocksdb_store::Open(options, rocksdb_store::Tuning());
}

}  // namespace riffle::store
