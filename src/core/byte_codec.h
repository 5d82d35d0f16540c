// Small helpers for core's binary encodings (pagination tokens and the
// like): unsigned LEB128 varints, length-prefixed strings and big-endian
// 64-bit integers. Appending is infallible; ByteReader remembers the first
// failure (truncated or over-long input) and then returns zeros.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace riffle::core {

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

inline void PutI64(std::string& out, int64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> shift));
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  // No read failed and every byte was consumed.
  bool ok() const { return ok_ && at_ == in_.size(); }
  uint8_t U8() {
    if (at_ >= in_.size()) return Fail();
    return static_cast<uint8_t>(in_[at_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ >= in_.size()) return Fail();
      uint8_t byte = static_cast<uint8_t>(in_[at_++]);
      v |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return Fail();
  }
  std::string String() {
    uint64_t n = Varint();
    if (!ok_ || in_.size() - at_ < n) {
      Fail();
      return {};
    }
    std::string s(in_.substr(at_, n));
    at_ += n;
    return s;
  }
  int64_t I64() {
    if (in_.size() - at_ < 8) return static_cast<int64_t>(Fail());
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(in_[at_++]);
    return static_cast<int64_t>(u);
  }

 private:
  uint8_t Fail() {
    ok_ = false;
    return 0;
  }
  std::string_view in_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace riffle::core
