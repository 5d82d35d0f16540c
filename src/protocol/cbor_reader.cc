#include "protocol/cbor_reader.h"

#include <cmath>
#include <cstring>

namespace riffle::protocol {

bool CborReader::ReadHead(CborHead* head) {
  if (at_end()) return Fail("truncated: expected a data item");
  const auto initial = static_cast<uint8_t>(data_[pos_++]);
  *head = CborHead{};
  head->major = initial >> 5;
  head->info = initial & 0x1f;
  if (initial == 0xff) {
    head->is_break = true;
    return true;
  }
  if (head->info < 24) {
    head->argument = static_cast<uint64_t>(head->info);
    return true;
  }
  if (head->info <= 27) {
    const size_t bytes = size_t{1} << (head->info - 24);
    if (remaining() < bytes) return Fail("truncated: argument of a head");
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_++]);
    head->argument = v;
    return true;
  }
  if (head->info == 31 && head->major >= 2 && head->major <= 5) {
    head->indefinite = true;
    return true;
  }
  return Fail("reserved or invalid additional information " + std::to_string(head->info));
}

bool CborReader::ReadString(const CborHead& head, std::string* out) {
  out->clear();
  if (!head.indefinite) {
    if (head.argument > remaining()) return Fail("truncated: string longer than the body");
    out->append(data_.substr(pos_, static_cast<size_t>(head.argument)));
    pos_ += static_cast<size_t>(head.argument);
    return true;
  }
  for (;;) {
    CborHead chunk;
    if (!ReadHead(&chunk)) return false;
    if (chunk.is_break) return true;
    if (chunk.major != head.major || chunk.indefinite) {
      return Fail("indefinite-length string chunk of another type");
    }
    if (chunk.argument > remaining()) return Fail("truncated: string chunk longer than the body");
    out->append(data_.substr(pos_, static_cast<size_t>(chunk.argument)));
    pos_ += static_cast<size_t>(chunk.argument);
  }
}

bool CborReader::ConsumeBreak() {
  if (!at_end() && static_cast<uint8_t>(data_[pos_]) == 0xff) {
    ++pos_;
    return true;
  }
  return false;
}

double HalfToDouble(uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    value = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    value = mantissa == 0 ? INFINITY : NAN;
  }
  return (bits & 0x8000) ? -value : value;
}

double FloatBitsToDouble(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

double DoubleBitsToDouble(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace riffle::protocol
