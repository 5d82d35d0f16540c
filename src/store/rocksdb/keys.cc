#include "store/rocksdb/keys.h"

#include "store/codec/varint.h"

namespace riffle::store::rocksdb_store {

using codec::PutVarint32;

std::string ShardPrefix(ShardKey shard) {
  std::string key;
  key.reserve(kTimeKeySize + 1);
  PutFixed64BE(&key, shard.incarnation);
  PutFixed32BE(&key, shard.shard_index);
  return key;
}

std::string RecordKey(ShardKey shard, uint64_t first_counter) {
  std::string key = ShardPrefix(shard);
  PutFixed64BE(&key, first_counter);
  return key;
}

std::string RecordKeyEnd(ShardKey shard) {
  std::string key = RecordKey(shard, UINT64_MAX);
  key.push_back('\0');
  return key;
}

std::optional<DecodedRecordKey> DecodeRecordKey(std::string_view key) {
  if (key.size() != kRecordKeySize) return std::nullopt;
  DecodedRecordKey out;
  out.shard.incarnation = DecodeFixed64BE(key.data());
  out.shard.shard_index = DecodeFixed32BE(key.data() + 8);
  out.first_counter = DecodeFixed64BE(key.data() + kShardPrefixSize);
  return out;
}

std::string TimeKey(ShardKey shard, int64_t arrival_ms, uint64_t first_counter) {
  std::string key = ShardPrefix(shard);
  PutFixed64BE(&key, EncodeTime(arrival_ms));
  PutFixed64BE(&key, first_counter);
  return key;
}

std::string TimeKeyEnd(ShardKey shard) {
  std::string key = ShardPrefix(shard);
  PutFixed64BE(&key, UINT64_MAX);
  PutFixed64BE(&key, UINT64_MAX);
  key.push_back('\0');
  return key;
}

std::optional<DecodedTimeKey> DecodeTimeKey(std::string_view key) {
  if (key.size() != kTimeKeySize) return std::nullopt;
  DecodedTimeKey out;
  out.shard.incarnation = DecodeFixed64BE(key.data());
  out.shard.shard_index = DecodeFixed32BE(key.data() + 8);
  out.arrival_ms = DecodeTime(DecodeFixed64BE(key.data() + kShardPrefixSize));
  out.first_counter = DecodeFixed64BE(key.data() + kShardPrefixSize + 8);
  return out;
}

std::string TimeIndexValue(uint32_t record_count) {
  std::string value;
  value.push_back(static_cast<char>(kTimeIndexValueVersion));
  PutVarint32(&value, record_count);
  return value;
}

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<uint8_t>(out.back());
    if (last != 0xFF) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

}  // namespace riffle::store::rocksdb_store
