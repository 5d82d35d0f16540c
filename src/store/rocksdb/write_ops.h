// Write ops: a store Mutation translated into the exact RocksDB operations
// (column family, key, value) that apply it. Translation (encoding record
// batches, checksums) happens on the submitting thread, so the writer thread
// only copies ready bytes into its group WriteBatch.
//
// Within one mutation the ops are ordered: drop_shards, then appends, then
// meta_deletes, then meta_puts (so a key both deleted and put ends up put).
// Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::rocksdb_store {

// The column families the writer addresses (index into its handle array).
enum class Cf : uint8_t { kMeta = 0, kRecords = 1, kTimeIndex = 2 };
inline constexpr size_t kNumCfs = 3;

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
};

// Translates `mutation` (consumed) into ops. Fails with InvalidArgument if an
// append batch cannot be encoded (see EncodeBatch).
StatusOr<PreparedMutation> PrepareMutation(Mutation mutation);

}  // namespace riffle::store::rocksdb_store
