// Keys of the RocksDB store: byte-exact encodings of record-batch keys and
// time-index keys, the bounds of one shard's key range, and the big-endian
// helpers they use. Every layout here is persisted and documented in
// docs/storage-format.md ("Store layout (RocksDB)"): never change the meaning
// of an existing layout; add a new one instead.
//
// Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/codec/fixed.h"
#include "store/store.h"

namespace riffle::store::rocksdb_store {

// Column family names. Persisted: do not change.
inline constexpr char kMetaColumnFamily[] = "meta";
inline constexpr char kRecordsColumnFamily[] = "records";
inline constexpr char kTimeIndexColumnFamily[] = "time_index";

// Key in the `default` column family holding the store format version byte.
// Persisted: do not change.
inline constexpr char kFormatVersionKey[] = "riffle.store.format";
// The store layout version this code writes and reads. Persisted: do not
// change the meaning of a released value.
inline constexpr uint8_t kStoreFormatVersion = 1;

// Length of the shard prefix: incarnation (8) | shard_index (4).
inline constexpr size_t kShardPrefixSize = 12;
// records CF key: shard prefix | first_counter (8).
inline constexpr size_t kRecordKeySize = kShardPrefixSize + 8;
// time_index CF key: shard prefix | arrival (8) | first_counter (8).
inline constexpr size_t kTimeKeySize = kShardPrefixSize + 16;

// Big-endian fixed-width integers (store/codec/fixed.h).
using codec::DecodeFixed32BE;
using codec::DecodeFixed64BE;
using codec::PutFixed32BE;
using codec::PutFixed64BE;

// Order-preserving mapping of a signed time to an unsigned key component
// (flips the sign bit, so negative times sort before positive ones).
inline uint64_t EncodeTime(int64_t ms) { return static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63); }
inline int64_t DecodeTime(uint64_t v) { return static_cast<int64_t>(v ^ (uint64_t{1} << 63)); }

// incarnation (u64 BE) | shard_index (u32 BE).
std::string ShardPrefix(ShardKey shard);

// records CF: ShardPrefix | first_counter (u64 BE).
std::string RecordKey(ShardKey shard, uint64_t first_counter);
// An exclusive upper bound above every records key of `shard` and below every
// key of the next shard (RecordKey(shard, UINT64_MAX) followed by 0x00).
std::string RecordKeyEnd(ShardKey shard);

struct DecodedRecordKey {
  ShardKey shard;
  uint64_t first_counter = 0;
};
std::optional<DecodedRecordKey> DecodeRecordKey(std::string_view key);

// time_index CF: ShardPrefix | EncodeTime(arrival_ms) (u64 BE) | first_counter (u64 BE).
std::string TimeKey(ShardKey shard, int64_t arrival_ms, uint64_t first_counter);
// Exclusive upper bound above every time_index key of `shard`.
std::string TimeKeyEnd(ShardKey shard);

struct DecodedTimeKey {
  ShardKey shard;
  int64_t arrival_ms = 0;
  uint64_t first_counter = 0;
};
std::optional<DecodedTimeKey> DecodeTimeKey(std::string_view key);

// time_index CF value: a format byte then the batch's record count (varint).
// Persisted: do not change.
inline constexpr uint8_t kTimeIndexValueVersion = 1;
std::string TimeIndexValue(uint32_t record_count);

// Smallest key greater than every key starting with `prefix`, or nullopt if
// there is none (prefix empty or all 0xFF).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace riffle::store::rocksdb_store
