#include "client/hash_key.h"

#include <openssl/evp.h>

#include <algorithm>

namespace riffle::kinesis::internal {

std::string Md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

HashKey HashKeyOfPartitionKey(std::string_view partition_key) {
  std::string digest = Md5(partition_key);
  HashKey key = 0;
  for (unsigned char byte : digest) key = key << 8 | byte;
  return key;
}

std::optional<HashKey> ParseHashKey(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 39) return std::nullopt;
  if (decimal.size() > 1 && decimal[0] == '0') return std::nullopt;
  HashKey value = 0;
  constexpr HashKey kMax = ~HashKey{0};
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    const unsigned digit = static_cast<unsigned>(c - '0');
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::string FormatHashKey(HashKey key) {
  if (key == 0) return "0";
  std::string out;
  while (key != 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(key % 10)));
    key /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace riffle::kinesis::internal
