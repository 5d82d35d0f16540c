#include "store/rocksdb/rocksdb_store.h"

#include "store/rocksdb/rocksdb_store_impl.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <filesystem>
#include <future>
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
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include "store/rocksdb/data_dir.h"
#include "store/rocksdb/info_log.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/manifest_mark.h"
#include "store/rocksdb/manifest_recorder.h"
#include "store/rocksdb/shard_partitioner.h"
#include "store/rocksdb/space_errors.h"
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

rocksdb::ColumnFamilyOptions CfOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                       size_t write_buffer, const Tuning& tuning,
                                       size_t block_size, bool compress,
                                       std::shared_ptr<rocksdb::SstPartitionerFactory> partitioner = nullptr) {
  rocksdb::ColumnFamilyOptions o;
  o.sst_partitioner_factory = std::move(partitioner);
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

// The records family: half the memtable budget, 32 KiB blocks, LZ4, files cut
// at shard boundaries. Its level 1 is kept small (records_level1_bytes): a
// compaction from level 0 rewrites every level-1 file in its key range, while
// files leaving level 1, each holding one shard's newest records, overlap
// nothing below and move down without being rewritten (shard_partitioner.h).
rocksdb::ColumnFamilyOptions RecordsCfOptions(const std::shared_ptr<rocksdb::Cache>& cache, const Tuning& tuning,
                                              std::shared_ptr<rocksdb::SstPartitionerFactory> by_shard) {
  rocksdb::ColumnFamilyOptions o =
      CfOptions(cache, tuning.memtable_budget_bytes / 2, tuning, 32 << 10, true, std::move(by_shard));
  if (tuning.records_level1_bytes > 0) o.max_bytes_for_level_base = tuning.records_level1_bytes;
  return o;
}

}  // namespace

RocksDbStore::RocksDbStore() = default;
RocksDbStore::~RocksDbStore() { Close(); }

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
  std::shared_ptr<rocksdb::SstPartitionerFactory> by_shard;
  if (tuning.shard_file_bytes > 0) {
    by_shard = std::make_shared<ShardPartitionerFactory>(kShardPrefixSize, tuning.shard_file_bytes);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, CfOptions(cache_, 1 << 20, tuning, 4096, false)},
      {kMetaColumnFamily, CfOptions(cache_, small, tuning, 4096, false)},
      {kRecordsColumnFamily,
       RecordsCfOptions(cache_, tuning, by_shard)},
      {kTimeIndexColumnFamily, CfOptions(cache_, small, tuning, 4096, false, by_shard)},
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
  handles_[static_cast<size_t>(Cf::kDefault)] = handles[0];
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
  if (Status loaded = LoadMeta(); !loaded.ok()) {
    Close();
    return loaded;
  }
  if (Status loaded = LoadLogs(); !loaded.ok()) {
    Close();
    return loaded;
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
  rocksdb::ColumnFamilyHandle* default_cf = cf(Cf::kDefault);
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), default_cf, kFormatVersionKey, &value);
  if (s.IsNotFound()) {
    // New only if empty (creation interrupted before the version was
    // written); keys without a version belong to some other program.
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle));
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
    s = db_->Put(wo, default_cf, kFormatVersionKey, version);
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

Status RocksDbStore::WriteAndWait(PreparedMutation mutation) {
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  if (!writer_ || !writer_->Submit(std::move(mutation), [&promise](Status s) { promise.set_value(std::move(s)); })) {
    return Status::StorageError("store is closed");
  }
  return result.get();
}

Status RocksDbStore::Ready() {
  if (closed_) return Status::StorageError("store is closed");
  if (writer_ && !writer_->healthy()) {
    return Status::StorageError("the last write failed (disk full or failing?); writes resume once it recovers");
  }
  return Status::Ok();
}

std::optional<Store::WriteStats> RocksDbStore::Stats() const {
  if (!writer_) return std::nullopt;
  return writer_->Stats();
}

std::vector<uint64_t> RocksDbStore::ApproximateLogBytes(std::span<const ShardKey> shards) {
  std::vector<uint64_t> sizes(shards.size(), 0);
  std::shared_lock lock(mu_);
  if (!db_ || shards.empty()) return sizes;
  // Table files and memtables both: a log's records are in one or the other.
  std::vector<std::string> bounds;
  bounds.reserve(shards.size() * 2);
  for (const ShardKey& shard : shards) {
    bounds.push_back(ShardPrefix(shard));
    bounds.push_back(RecordKeyEnd(shard));
  }
  std::vector<rocksdb::Range> ranges;
  ranges.reserve(shards.size());
  for (size_t i = 0; i < shards.size(); ++i) ranges.emplace_back(bounds[2 * i], bounds[2 * i + 1]);
  rocksdb::SizeApproximationOptions options;
  options.include_memtables = true;
  options.include_files = true;
  rocksdb::Status s = db_->GetApproximateSizes(options, cf(Cf::kRecords), ranges.data(),
                                               static_cast<int>(ranges.size()), sizes.data());
  if (!s.ok()) std::fill(sizes.begin(), sizes.end(), 0);
  return sizes;
}

Status RocksDbStore::Checkpoint(const std::string& dir) {
  if (mem_env_) return Status::Validation("an --in-memory store keeps nothing on disk to back up");
  if (dir.empty() || dir.front() != '/') return Status::InvalidArgument("the backup directory must be an absolute path");
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return Status::InvalidArgument(dir + " exists already");
  std::shared_lock lock(mu_);
  if (!db_) return Status::StorageError("store is closed");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status made = rocksdb::Checkpoint::Create(db_.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: memtables are flushed first, so the copy needs no WAL replay.
  if (made.ok()) made = checkpoint->CreateCheckpoint(dir, 0);
  if (!made.ok()) return Status::StorageError("cannot write the backup into " + dir + ": " + made.ToString());
  return Status::Ok();
}

void RocksDbStore::Close() {
  closed_ = true;
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
  db_->Close().PermitUncheckedError();
  db_.reset();
}

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
