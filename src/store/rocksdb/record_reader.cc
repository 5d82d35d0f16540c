#include "store/rocksdb/record_reader.h"

#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "store/codec/batch_codec.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/space_reclaimer.h"

namespace riffle::store::rocksdb_store {
namespace {

Status ReadError(const rocksdb::Status& s) { return Status::StorageError("rocksdb read failed: " + s.ToString()); }

std::string ShardName(ShardKey shard) {
  return "incarnation " + std::to_string(shard.incarnation) + " shard " + std::to_string(shard.shard_index);
}

Status BatchError(const Status& s, ShardKey shard, uint64_t first_counter) {
  return Status::StorageError(s.message() + " (" + ShardName(shard) + ", batch at counter " +
                              std::to_string(first_counter) + ")");
}

// A key range [lower, upper) that the iterator must stay in. Owns the bytes
// the ReadOptions point to.
struct KeyBounds {
  KeyBounds(std::string lo, std::string up) : lower(std::move(lo)), upper(std::move(up)) {}
  KeyBounds(const KeyBounds&) = delete;
  KeyBounds& operator=(const KeyBounds&) = delete;
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

}  // namespace

Status ReadRange(const RecordCfs& cfs, ShardKey shard, uint64_t from, uint64_t to, const ReadLimits& limits,
                 RecordsRead* out, bool* limited) {
  *limited = false;
  if (from > to) return Status::Ok();
  KeyBounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
  rocksdb::ReadOptions ro = bounds.Options();
  ro.adaptive_readahead = true;
  std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(ro, cfs.records));
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
    codec::BatchReader reader;
    if (Status s = reader.Init(View(it->value())); !s.ok()) return BatchError(s, shard, first);
    const uint64_t count = reader.record_count();
    if (first > UINT64_MAX - (count - 1)) {
      return BatchError(Status::StorageError("corrupt record batch: counter overflow"), shard, first);
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
        *limited = true;
        return Status::Ok();
      }
      bytes += size;
      out->Add(counter, arrival, pk, data);
    }
  }
  if (!it->status().ok()) return ReadError(it->status());
  return Status::Ok();
}

StatusOr<std::optional<uint64_t>> LastStoredCounter(const RecordCfs& cfs, ShardKey shard) {
  using Result = std::optional<uint64_t>;
  KeyBounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
  std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(bounds.Options(), cfs.records));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return ReadError(it->status());
    return Result();
  }
  std::optional<DecodedRecordKey> key = DecodeRecordKey(View(it->key()));
  if (!key) return Status::StorageError("corrupt record key in " + ShardName(shard));
  codec::BatchReader reader;
  if (Status s = reader.Init(View(it->value())); !s.ok()) return BatchError(s, shard, key->first_counter);
  return Result(key->first_counter + (reader.record_count() - 1));
}

StatusOr<std::optional<uint64_t>> FirstStoredCounter(const RecordCfs& cfs, ShardKey shard) {
  using Result = std::optional<uint64_t>;
  KeyBounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
  std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(bounds.Options(), cfs.records));
  it->SeekToFirst();
  if (!it->Valid()) {
    if (!it->status().ok()) return ReadError(it->status());
    return Result();
  }
  std::optional<DecodedRecordKey> key = DecodeRecordKey(View(it->key()));
  if (!key) return Status::StorageError("corrupt record key in " + ShardName(shard));
  return Result(key->first_counter);
}

StatusOr<std::optional<uint64_t>> FirstCounterAtOrAfter(const RecordCfs& cfs, ShardKey shard, int64_t ms) {
  using Result = std::optional<uint64_t>;
  KeyBounds bounds(ShardPrefix(shard), TimeKeyEnd(shard));
  std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(bounds.Options(), cfs.time_index));
  it->Seek(TimeKey(shard, ms, 0));
  if (!it->Valid()) {
    if (!it->status().ok()) return ReadError(it->status());
    return Result();
  }
  std::optional<DecodedTimeKey> key = DecodeTimeKey(View(it->key()));
  if (!key) return Status::StorageError("corrupt time index key in " + ShardName(shard));
  return Result(key->first_counter);
}

// Only ranges ending at a batch this call has seen are deleted, so batches
// appended concurrently (always above) are never touched.
Status TrimBelow(const RecordCfs& cfs, ShardKey shard, uint64_t below, SpaceReclaimer* reclaimer) {
  if (below == 0) return Status::Ok();
  KeyBounds bounds(ShardPrefix(shard), RecordKeyEnd(shard));
  std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(bounds.Options(), cfs.records));
  it->SeekForPrev(RecordKey(shard, below - 1));
  if (!it->Valid()) return it->status().ok() ? Status::Ok() : ReadError(it->status());
  std::optional<DecodedRecordKey> key = DecodeRecordKey(View(it->key()));
  if (!key) return Status::StorageError("corrupt record key in " + ShardName(shard));
  codec::BatchReader reader;
  if (Status s = reader.Init(View(it->value())); !s.ok()) return BatchError(s, shard, key->first_counter);
  const uint64_t first = key->first_counter;  // < below
  const uint64_t last = first + (reader.record_count() - 1);
  std::string records_end, times_end;
  if (last < below) {
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
  rocksdb::Status s = batch.DeleteRange(cfs.records, bounds.lower, records_end);
  if (s.ok()) s = batch.DeleteRange(cfs.time_index, bounds.lower, times_end);
  if (s.ok()) s = cfs.db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return Status::StorageError("rocksdb trim failed: " + s.ToString());
  // Table files wholly before the new horizon go at once; the rest with the
  // regular compactions (compacting every shard's range at every trim would
  // rewrite the same files over and over).
  if (reclaimer != nullptr) {
    reclaimer->Reclaim(cfs.records, std::string(bounds.lower), std::move(records_end), false);
    reclaimer->Reclaim(cfs.time_index, std::string(bounds.lower), std::move(times_end), false);
  }
  return Status::Ok();
}

}  // namespace riffle::store::rocksdb_store
