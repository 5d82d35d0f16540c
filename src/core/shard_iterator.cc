#include "core/shard_iterator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace riffle::core {

namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kMacBytes = 16;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}
uint32_t GetU32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

std::array<unsigned char, EVP_MAX_MD_SIZE> Mac(const std::string& key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &length);
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    if (rest == 2) out.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    else if (c >= '0' && c <= '9') value = c - '0' + 52;
    else if (c == '-') value = 62;
    else if (c == '_') value = 63;
    else return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // Leftover bits must be zero so every token has exactly one spelling.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string ShardIteratorCodec::Encode(const ShardIterator& it) const {
  std::string payload;
  payload.reserve(64 + it.stream_name.size());
  payload.push_back(static_cast<char>(kVersion));
  PutU64(payload, it.incarnation);
  PutU32(payload, it.shard_index);
  PutU64(payload, it.position);
  PutU64(payload, static_cast<uint64_t>(it.issued_ms));
  payload.push_back(static_cast<char>(it.account_id.size()));
  payload.append(it.account_id);
  payload.push_back(static_cast<char>(it.stream_name.size()));
  payload.append(it.stream_name);
  auto mac = Mac(secret_, payload);
  payload.append(reinterpret_cast<const char*>(mac.data()), kMacBytes);
  return Base64UrlEncode(payload);
}

std::optional<ShardIterator> ShardIteratorCodec::Decode(std::string_view token) const {
  if (token.size() > 512) return std::nullopt;
  auto bytes = Base64UrlDecode(token);
  constexpr size_t kFixed = 1 + 8 + 4 + 8 + 8;
  if (!bytes || bytes->size() < kFixed + 2 + kMacBytes) return std::nullopt;
  std::string_view data(*bytes);
  if (static_cast<uint8_t>(data[0]) != kVersion) return std::nullopt;
  size_t account_length = static_cast<uint8_t>(data[kFixed]);
  if (data.size() < kFixed + 1 + account_length + 1 + kMacBytes) return std::nullopt;
  size_t name_at = kFixed + 1 + account_length + 1;
  size_t name_length = static_cast<uint8_t>(data[name_at - 1]);
  if (data.size() != name_at + name_length + kMacBytes) return std::nullopt;
  std::string_view payload = data.substr(0, name_at + name_length);
  auto mac = Mac(secret_, payload);
  if (CRYPTO_memcmp(mac.data(), data.data() + payload.size(), kMacBytes) != 0) return std::nullopt;
  ShardIterator it;
  it.incarnation = GetU64(data, 1);
  it.shard_index = GetU32(data, 9);
  it.position = GetU64(data, 13);
  it.issued_ms = static_cast<int64_t>(GetU64(data, 21));
  it.account_id = std::string(data.substr(kFixed + 1, account_length));
  it.stream_name = std::string(data.substr(name_at, name_length));
  return it;
}

std::string ShardIteratorCodec::Seal(std::string_view payload) const {
  std::string bytes(payload);
  auto mac = Mac(secret_, payload);
  bytes.append(reinterpret_cast<const char*>(mac.data()), kMacBytes);
  return Base64UrlEncode(bytes);
}

std::optional<std::string> ShardIteratorCodec::Open(std::string_view token) const {
  auto bytes = Base64UrlDecode(token);
  if (!bytes || bytes->size() < kMacBytes) return std::nullopt;
  std::string_view payload = std::string_view(*bytes).substr(0, bytes->size() - kMacBytes);
  auto mac = Mac(secret_, payload);
  if (CRYPTO_memcmp(mac.data(), bytes->data() + payload.size(), kMacBytes) != 0) return std::nullopt;
  return std::string(payload);
}

}  // namespace riffle::core
