// Record reads of the RocksDB store: ranges of one shard's records, its
// first and last counters, the time index, and trimming below a counter.
//
// Plain functions over an open database and its column families; each call
// reads through its own iterator, so they are safe from any thread while the
// database is open (the store's close lock guarantees that).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace riffle::store::rocksdb_store {

class SpaceReclaimer;

struct RecordCfs {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* records = nullptr;
  rocksdb::ColumnFamilyHandle* time_index = nullptr;
};

// Records of `shard` with from <= counter <= to into `out`, stopping before
// a record that would pass `limits` (at least one record if any is in
// range). `*limited` tells whether it stopped because of the limits.
Status ReadRange(const RecordCfs& cfs, ShardKey shard, uint64_t from, uint64_t to, const ReadLimits& limits,
                 RecordsRead* out, bool* limited);

// Highest / lowest counter stored for the shard, if any.
StatusOr<std::optional<uint64_t>> LastStoredCounter(const RecordCfs& cfs, ShardKey shard);
StatusOr<std::optional<uint64_t>> FirstStoredCounter(const RecordCfs& cfs, ShardKey shard);
// First counter of the first batch whose arrival is >= ms, if any.
StatusOr<std::optional<uint64_t>> FirstCounterAtOrAfter(const RecordCfs& cfs, ShardKey shard, int64_t ms);

// Deletes (range deletions, unsynced) every batch wholly below `below` and
// its time-index entries; a batch straddling the bound stays. Table files
// wholly before the new horizon are handed to `reclaimer` (may be null).
Status TrimBelow(const RecordCfs& cfs, ShardKey shard, uint64_t below, SpaceReclaimer* reclaimer);

}  // namespace riffle::store::rocksdb_store
