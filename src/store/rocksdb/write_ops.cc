#include "store/rocksdb/write_ops.h"

#include <utility>

#include "store/codec/batch_codec.h"
#include "store/rocksdb/keys.h"

namespace riffle::store::rocksdb_store {

using codec::EncodeBatch;

void PreparedMutation::Add(WriteOp::Kind kind, Cf cf, std::string key, std::string value) {
  bytes += key.size() + value.size();
  ops.push_back(WriteOp{kind, cf, std::move(key), std::move(value)});
}

Status PreparedMutation::AddAppend(ShardKey shard, uint64_t first_counter, const AppendBatch& batch) {
  if (!batch.entries.empty() && first_counter > UINT64_MAX - (batch.entries.size() - 1)) {
    return Status::InvalidArgument("append batch counters would overflow");
  }
  std::string value;
  RIFFLE_RETURN_IF_ERROR(EncodeBatch(batch, &value));
  Add(WriteOp::Kind::kPut, Cf::kRecords, RecordKey(shard, first_counter), std::move(value));
  Add(WriteOp::Kind::kPut, Cf::kTimeIndex, TimeKey(shard, batch.arrival_ms, first_counter),
      TimeIndexValue(static_cast<uint32_t>(batch.entries.size())));
  return Status::Ok();
}

void PreparedMutation::AddDropRecords(ShardKey shard) {
  Add(WriteOp::Kind::kDeleteRange, Cf::kRecords, ShardPrefix(shard), RecordKeyEnd(shard));
  Add(WriteOp::Kind::kDeleteRange, Cf::kTimeIndex, ShardPrefix(shard), TimeKeyEnd(shard));
}

void PreparedMutation::AddMeta(const MetaWrite& write) {
  if (write.value) {
    Add(WriteOp::Kind::kPut, Cf::kMeta, write.key, *write.value);
  } else {
    Add(WriteOp::Kind::kDelete, Cf::kMeta, write.key, std::string());
  }
}

}  // namespace riffle::store::rocksdb_store
