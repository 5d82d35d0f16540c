// HashKey: a position in a stream's 128-bit hash key space.
//
// A record's hash key is the MD5 of its partition key read as a 128-bit
// big-endian unsigned integer, or its ExplicitHashKey. Each open shard owns a
// contiguous, inclusive range [start, end] of the space; together the open
// shards cover 0 .. 2^128-1 exactly once. Value type, thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace riffle::core {

using uint128 = unsigned __int128;

class HashKey {
 public:
  constexpr HashKey() = default;
  constexpr explicit HashKey(uint128 value) : value_(value) {}

  static constexpr HashKey Max() { return HashKey(~uint128{0}); }
  // Parses a decimal string; nullopt if not all digits or >= 2^128.
  static std::optional<HashKey> FromDecimal(std::string_view text);
  // MD5 of the partition key's UTF-8 bytes, big-endian.
  static HashKey FromPartitionKey(std::string_view partition_key);

  std::string ToDecimal() const;
  constexpr uint128 value() const { return value_; }

  friend constexpr auto operator<=>(const HashKey&, const HashKey&) = default;

 private:
  uint128 value_ = 0;
};

struct HashKeyRange {
  HashKey start;
  HashKey end;  // inclusive
  constexpr bool Contains(HashKey key) const { return start <= key && key <= end; }
  friend constexpr bool operator==(const HashKeyRange&, const HashKeyRange&) = default;
};

// The i-th of n ranges that split the whole space evenly, as CreateStream and
// UpdateShardCount lay them out: range i starts at floor(i * 2^128 / n).
// REQUIRES: 0 <= i < n.
HashKeyRange UniformRange(uint32_t i, uint32_t n);

}  // namespace riffle::core
