#include "core/hash_key.h"

#include <openssl/md5.h>

#include <algorithm>

namespace riffle::core {

std::optional<HashKey> HashKey::FromDecimal(std::string_view text) {
  if (text.empty() || text.size() > 39) return std::nullopt;
  uint128 value = 0;
  const uint128 max = ~uint128{0};
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    unsigned digit = static_cast<unsigned>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;  // overflow
    value = value * 10 + digit;
  }
  return HashKey(value);
}

HashKey HashKey::FromPartitionKey(std::string_view partition_key) {
  unsigned char digest[MD5_DIGEST_LENGTH];
  // MD5() is deprecated in OpenSSL 3 only as a low-level API; it stays
  // available and is the fastest one-shot call for 16-byte digests.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  MD5(reinterpret_cast<const unsigned char*>(partition_key.data()), partition_key.size(), digest);
#pragma GCC diagnostic pop
  uint128 value = 0;
  for (unsigned char byte : digest) value = (value << 8) | byte;
  return HashKey(value);
}

std::string HashKey::ToDecimal() const {
  if (value_ == 0) return "0";
  char buffer[40];
  int n = 0;
  uint128 v = value_;
  while (v != 0) {
    buffer[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  std::string out(buffer, n);
  std::reverse(out.begin(), out.end());
  return out;
}

namespace {
// floor(i * 2^128 / n) without overflow, for 0 <= i <= n.
uint128 UniformStart(uint32_t i, uint32_t n) {
  if (i == 0) return 0;
  // 2^128 = q * n + r, with q = (2^128 - 1) / n adjusted for the remainder.
  const uint128 max = ~uint128{0};
  uint128 q = max / n;
  uint128 r = max % n + 1;  // remainder of 2^128 / n, possibly == n
  if (r == n) {
    q += 1;
    r = 0;
  }
  // i * 2^128 / n = i*q + i*r/n ; i*r < n*n fits easily.
  return q * i + (r * i) / n;
}
}  // namespace

HashKeyRange UniformRange(uint32_t i, uint32_t n) {
  HashKeyRange range;
  range.start = HashKey(UniformStart(i, n));
  range.end = (i + 1 == n) ? HashKey::Max() : HashKey(UniformStart(i + 1, n) - 1);
  return range;
}

}  // namespace riffle::core
