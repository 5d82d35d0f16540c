// LEB128 unsigned varints (7 bits per byte, least significant group first,
// high bit set on every byte but the last) as used in persisted values.
// Persisted encoding: do not change. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace riffle::store::codec {

inline constexpr size_t kMaxVarint32Bytes = 5;

inline size_t Varint32Size(uint32_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void PutVarint32(std::string* out, uint32_t v) {
  char buf[kMaxVarint32Bytes];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// Reads a varint32 from the front of `*in` and advances it. Returns false on
// truncation or if the value does not fit 32 bits (or is not minimal in length
// beyond 5 bytes).
inline bool GetVarint32(std::string_view* in, uint32_t* v) {
  uint32_t result = 0;
  for (size_t i = 0; i < kMaxVarint32Bytes && i < in->size(); ++i) {
    auto byte = static_cast<uint8_t>((*in)[i]);
    if (i == kMaxVarint32Bytes - 1 && byte > 0x0F) return false;  // overflows 32 bits
    result |= static_cast<uint32_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace riffle::store::codec
