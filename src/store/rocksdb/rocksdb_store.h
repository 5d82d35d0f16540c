// RocksDbStore: the embedded Store implementation over RocksDB.
//
// Column families: `meta` (core's opaque key/value pairs), `records` (record
// batches keyed by shard and first counter), `time_index` (one entry per
// batch keyed by shard and arrival time), plus `default` holding only the
// store format version. Layout: docs/storage-format.md. Beside the database,
// RIFFLE-MANIFEST-MARK (manifest_mark.h) is checked before every open, so a
// MANIFEST cut short is refused instead of silently losing newer records.
//
// Writes go through a Writer (group commit on one thread); reads use RocksDB
// iterators directly on the calling thread. Every method is thread-safe,
// Close() included; calls made after Close() fail with StorageError("store is
// closed"). Trim() reads and writes on the calling thread (unsynced).
#pragma once

#include <memory>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace rocksdb {
class Env;
class EventListener;
}  // namespace rocksdb

namespace riffle::store::rocksdb_store {

// Tuning that bounds memory; defaults suit a single server (docs/memory.md).
struct Tuning {
  size_t block_cache_bytes = 32 << 20;  // shared by all column families
  // All memtables together (a RocksDB WriteBufferManager flushes the largest
  // when their sum passes it); the records memtable is half of it, so one can
  // fill while the other flushes.
  size_t memtable_budget_bytes = 64 << 20;
  size_t small_write_buffer_bytes = 4 << 20;  // per memtable, CFs other than records
  int max_write_buffers = 2;                  // per column family
  int max_background_jobs = 2;
  uint64_t max_total_wal_bytes = 256 << 20;  // forces flushes of idle CFs
  // Compactions of the records and time-index families cut their output at a
  // shard boundary once a file holds this much (shard_partitioner.h); 0: no cut.
  uint64_t shard_file_bytes = 4 << 20;
  // Target size of the records family's level 1 (0: RocksDB's default, 256 MiB).
  uint64_t records_level1_bytes = 64 << 20;
  // Tests only: the Env to run on (e.g. one that simulates power loss); must
  // outlive the store. nullptr: the default Env (or the memory Env when
  // Options::in_memory).
  rocksdb::Env* env = nullptr;
  // Tests only: RocksDB event listeners, called before the store's own (e.g.
  // to cut the power right after a flush, before the store records it).
  std::vector<std::shared_ptr<rocksdb::EventListener>> listeners;
};

StatusOr<std::unique_ptr<Store>> Open(const Options& options, const Tuning& tuning);

// Smallest accepted block cache and memtable budget.
constexpr size_t kMinBlockCacheBytes = 1 << 20;
constexpr size_t kMinMemtableBudgetBytes = 8 << 20;

}  // namespace riffle::store::rocksdb_store
