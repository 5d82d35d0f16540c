// Write ops: the exact RocksDB operations (column family, key, value) that
// apply one change of the store, built on the submitting thread (encoding
// record batches and their checksums there), so the writer thread only copies
// ready bytes into its group WriteBatch. Within one PreparedMutation the ops
// apply in order.
//
// Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::rocksdb_store {

// The column families the writer addresses (index into its handle array).
enum class Cf : uint8_t { kMeta = 0, kRecords = 1, kTimeIndex = 2, kDefault = 3 };
inline constexpr size_t kNumCfs = 4;

struct WriteOp {
  enum class Kind : uint8_t { kPut, kDelete, kDeleteRange };
  Kind kind = Kind::kPut;
  Cf cf = Cf::kMeta;
  std::string key;    // begin key for kDeleteRange
  std::string value;  // end key (exclusive) for kDeleteRange; empty for kDelete
};

struct PreparedMutation {
  std::vector<WriteOp> ops;
  size_t bytes = 0;  // sum of key and value sizes

  void Add(WriteOp::Kind kind, Cf cf, std::string key, std::string value);
  // The batch value and time-index entry of records appended to `shard`
  // with counters first_counter, first_counter + 1, ... Fails with
  // InvalidArgument if the batch cannot be encoded (see EncodeBatch).
  Status AddAppend(ShardKey shard, uint64_t first_counter, const AppendBatch& batch);
  // Deletes every record and time-index entry of `shard`.
  void AddDropRecords(ShardKey shard);
  // A metadata put (value set) or delete.
  void AddMeta(const MetaWrite& write);
};

}  // namespace riffle::store::rocksdb_store
