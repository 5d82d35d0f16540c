#include "store/rocksdb/write_ops.h"

#include <utility>

#include "store/rocksdb/batch_codec.h"
#include "store/rocksdb/keys.h"

namespace riffle::store::rocksdb_store {
namespace {

void Add(PreparedMutation* out, WriteOp::Kind kind, Cf cf, std::string key, std::string value) {
  out->bytes += key.size() + value.size();
  out->ops.push_back(WriteOp{kind, cf, std::move(key), std::move(value)});
}

}  // namespace

StatusOr<PreparedMutation> PrepareMutation(Mutation mutation) {
  PreparedMutation out;
  out.ops.reserve(mutation.drop_shards.size() * 2 + mutation.appends.size() * 2 +
                  mutation.meta_deletes.size() + mutation.meta_puts.size());
  for (const ShardKey& shard : mutation.drop_shards) {
    Add(&out, WriteOp::Kind::kDeleteRange, Cf::kRecords, ShardPrefix(shard), RecordKeyEnd(shard));
    Add(&out, WriteOp::Kind::kDeleteRange, Cf::kTimeIndex, ShardPrefix(shard), TimeKeyEnd(shard));
  }
  for (AppendBatch& batch : mutation.appends) {
    std::string value;
    RIFFLE_RETURN_IF_ERROR(EncodeBatch(batch, &value));
    Add(&out, WriteOp::Kind::kPut, Cf::kRecords, RecordKey(batch.shard, batch.first_counter),
        std::move(value));
    Add(&out, WriteOp::Kind::kPut, Cf::kTimeIndex,
        TimeKey(batch.shard, batch.arrival_ms, batch.first_counter),
        TimeIndexValue(static_cast<uint32_t>(batch.entries.size())));
    batch.entries.clear();
    batch.entries.shrink_to_fit();  // release the source bytes early
  }
  for (std::string& key : mutation.meta_deletes) {
    Add(&out, WriteOp::Kind::kDelete, Cf::kMeta, std::move(key), std::string());
  }
  for (auto& [key, value] : mutation.meta_puts) {
    Add(&out, WriteOp::Kind::kPut, Cf::kMeta, std::move(key), std::move(value));
  }
  return out;
}

}  // namespace riffle::store::rocksdb_store
