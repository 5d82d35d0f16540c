#include "protocol/cbor_writer.h"

#include <cstring>

namespace riffle::protocol {

void CborWriter::Head(int major, uint64_t argument) {
  const auto type = static_cast<uint8_t>(major << 5);
  auto put_be = [this](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  if (argument < 24) {
    out_.push_back(static_cast<char>(type | argument));
  } else if (argument <= 0xff) {
    out_.push_back(static_cast<char>(type | 24));
    put_be(argument, 1);
  } else if (argument <= 0xffff) {
    out_.push_back(static_cast<char>(type | 25));
    put_be(argument, 2);
  } else if (argument <= 0xffffffffULL) {
    out_.push_back(static_cast<char>(type | 26));
    put_be(argument, 4);
  } else {
    out_.push_back(static_cast<char>(type | 27));
    put_be(argument, 8);
  }
}

void CborWriter::Int(int64_t value) {
  if (value >= 0) {
    Head(0, static_cast<uint64_t>(value));
  } else {
    // -1 - n, computed without overflow for INT64_MIN.
    Head(1, static_cast<uint64_t>(-(value + 1)));
  }
}

void CborWriter::Double(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  out_.push_back(static_cast<char>(0xfb));
  for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

}  // namespace riffle::protocol
