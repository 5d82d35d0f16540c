// ShardIterator: the opaque, authenticated token GetShardIterator hands out
// and GetRecords consumes.
//
// Token = base64url (no padding) of:
//   byte     format version (1)            DO NOT CHANGE meaning
//   u64 BE   stream incarnation
//   u32 BE   shard index
//   u64 BE   position: the next shard counter to read
//   i64 BE   issue time, ms since the epoch
//   u8       account id length A, then A bytes of account id
//   u8       stream name length N, then N bytes of stream name
//   16 bytes HMAC-SHA256 (truncated) of everything above, keyed with the
//            server's secret (kept in the data dir, so tokens survive restarts)
// At most 4/3 * (1+8+4+8+8+1+64+1+128+16) < 320 characters (the API allows 512).
// A token that fails to decode or authenticate is rejected as a whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace riffle::core {

struct ShardIterator {
  static constexpr int64_t kLifetimeMs = 5 * 60 * 1000;

  uint64_t incarnation = 0;
  uint32_t shard_index = 0;
  uint64_t position = 0;
  int64_t issued_ms = 0;
  std::string account_id;
  std::string stream_name;

  friend bool operator==(const ShardIterator&, const ShardIterator&) = default;
};

// Encodes and authenticates tokens with one secret. Thread-safe (immutable).
class ShardIteratorCodec {
 public:
  // REQUIRES: secret.size() >= 16.
  explicit ShardIteratorCodec(std::string secret) : secret_(std::move(secret)) {}

  std::string Encode(const ShardIterator& iterator) const;
  // nullopt if the token is malformed, forged or altered.
  std::optional<ShardIterator> Decode(std::string_view token) const;

  // Generic authenticated tokens (e.g. ListShards' NextToken): base64url of
  // `payload` followed by the same truncated HMAC. Open returns the payload,
  // or nullopt if the token is malformed, forged or altered.
  std::string Seal(std::string_view payload) const;
  std::optional<std::string> Open(std::string_view token) const;

 private:
  std::string secret_;
};

}  // namespace riffle::core
