#include "protocol/base64.h"

#include <array>
#include <cstdint>

#include "protocol/base64_simd.h"

namespace riffle::protocol {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  return table;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

void Base64EncodeAppend(std::string_view bytes, std::string* out) {
  const size_t start = out->size();
  out->resize(start + (bytes.size() + 2) / 3 * 4);
  char* dst = out->data() + start;
  const auto* src = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  if (base64_simd::Available()) {
    i = base64_simd::EncodeBlocks(src, n, dst);
    dst += i / 3 * 4;
  }
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8) | src[i + 2];
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = kAlphabet[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = uint32_t{src[i]} << 16;
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = '=';
    *dst++ = '=';
  } else if (n - i == 2) {
    uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8);
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = '=';
  }
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  Base64EncodeAppend(bytes, &out);
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  const size_t n = text.size();
  if (n % 4 != 0) return std::nullopt;
  if (n == 0) return std::string();
  size_t pad = 0;
  if (text[n - 1] == '=') pad = (text[n - 2] == '=') ? 2 : 1;
  std::string out;
  out.resize(n / 4 * 3 - pad);
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  const auto* src = reinterpret_cast<const uint8_t*>(text.data());
  const size_t full = (pad == 0) ? n : n - 4;
  size_t i = 0;
  if (base64_simd::Available()) {
    i = base64_simd::DecodeBlocks(text.data(), full, dst, out.size());
    dst += i / 4 * 3;
  }
  for (; i < full; i += 4) {
    uint8_t a = kDecode[src[i]], b = kDecode[src[i + 1]], c = kDecode[src[i + 2]],
            d = kDecode[src[i + 3]];
    if ((a | b | c | d) & 0x80) return std::nullopt;
    uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    *dst++ = static_cast<uint8_t>(v >> 16);
    *dst++ = static_cast<uint8_t>(v >> 8);
    *dst++ = static_cast<uint8_t>(v);
  }
  if (pad != 0) {
    const uint8_t* q = src + n - 4;
    uint8_t a = kDecode[q[0]], b = kDecode[q[1]];
    if ((a | b) & 0x80) return std::nullopt;
    if (pad == 2) {
      if (b & 0x0f) return std::nullopt;  // non-zero unused bits
      *dst++ = static_cast<uint8_t>((a << 2) | (b >> 4));
    } else {
      uint8_t c = kDecode[q[2]];
      if ((c & 0x80) || (c & 0x03)) return std::nullopt;
      *dst++ = static_cast<uint8_t>((a << 2) | (b >> 4));
      *dst++ = static_cast<uint8_t>((b << 4) | (c >> 2));
    }
  }
  return out;
}

std::string Base64DecodeErrorDetail(std::string_view text) {
  if (text.size() % 4 != 0) {
    return "Base64 encoded length is expected a multiple of 4 bytes but found: " +
           std::to_string(CodePointCount(text));
  }
  // First character outside the alphabet, or a '=' followed by a non-'='.
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '=') {
      if (i + 1 < text.size() && text[i + 1] != '=') return "Invalid Base64 character: '='";
    } else if (kDecode[c] == kInvalid) {
      // Report the whole UTF-8 sequence of a non-ASCII character.
      size_t len = 1;
      while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) {
        ++len;
      }
      return "Invalid Base64 character: '" + std::string(text.substr(i, c < 0x80 ? 1 : len)) + "'";
    }
  }
  if (Base64Decode(text)) return "";
  return "Invalid last non-pad Base64 character dectected";  // sic, AWS's spelling
}

}  // namespace riffle::protocol
