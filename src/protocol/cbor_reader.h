// CborReader: a bounds-checked cursor over one CBOR (RFC 8949) body, the
// decoding half of the application/x-amz-cbor-1.1 protocol.
//
// It reads data item heads (major type 0-7, shortest and non-shortest
// argument encodings, indefinite lengths) and whole strings (definite, or
// indefinite as a sequence of definite chunks of the same major type).
// Nothing is trusted: a length is checked against the bytes that remain
// before anything is allocated, and every failure is reported as `false`
// with a reason (for logs and tests) — never an exception or a read past
// the end. Reserved additional information (28-30) and a break (0xff)
// where no indefinite item is open are malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace riffle::protocol {

struct CborHead {
  int major = 0;            // 0..7
  int info = 0;             // additional information, 0..31
  uint64_t argument = 0;    // value / length / tag / simple value (info < 28)
  bool indefinite = false;  // info == 31 for major 2-5
  bool is_break = false;    // the 0xff "break" stop code
};

class CborReader {
 public:
  explicit CborReader(std::string_view data) : data_(data) {}

  // Reads the next head. Major 7 with info 25/26/27 leaves the raw float
  // bits in `argument` (see HalfToDouble / FloatBitsToDouble).
  bool ReadHead(CborHead* head);
  // After a head of major 2 or 3: the whole string into `out` (chunks
  // joined). Chunks of another major type are malformed.
  bool ReadString(const CborHead& head, std::string* out);
  // Peeks whether the next byte is a break (0xff); consumes it if so.
  bool ConsumeBreak();

  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  const std::string& error() const { return error_; }
  bool Fail(std::string reason) {
    if (error_.empty()) error_ = std::move(reason);
    return false;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

// IEEE 754 binary16 / binary32 / binary64 bits to a double.
double HalfToDouble(uint16_t bits);
double FloatBitsToDouble(uint32_t bits);
double DoubleBitsToDouble(uint64_t bits);

}  // namespace riffle::protocol
