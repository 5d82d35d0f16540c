// CborWriter: an append-only CBOR (RFC 8949) encoder into a std::string,
// used for CBOR response bodies (application/x-amz-cbor-1.1).
//
// Heads use the shortest encoding of their argument. Maps and arrays are
// written with indefinite length (0xbf / 0x9f ... 0xff), as the Java
// (Jackson) CBOR generators of AWS services write them; strings with
// definite length. Contract: the caller emits a well-formed sequence (a
// key before every map value, balanced Begin/End); the writer checks nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace riffle::protocol {

class CborWriter {
 public:
  CborWriter() = default;
  explicit CborWriter(size_t capacity) { out_.reserve(capacity); }

  void BeginMap() { out_.push_back(static_cast<char>(0xbf)); }
  void BeginArray() { out_.push_back(static_cast<char>(0x9f)); }
  void End() { out_.push_back(static_cast<char>(0xff)); }  // closes a map or array

  void Text(std::string_view utf8) {
    Head(3, utf8.size());
    out_.append(utf8);
  }
  void Bytes(std::string_view bytes) {
    Head(2, bytes.size());
    out_.append(bytes);
  }
  void Int(int64_t value);
  void Uint(uint64_t value) { Head(0, value); }
  void Double(double value);  // always 8-byte (major type 7, 27)
  void Bool(bool value) { out_.push_back(static_cast<char>(value ? 0xf5 : 0xf4)); }
  void Null() { out_.push_back(static_cast<char>(0xf6)); }
  void Tag(uint64_t tag) { Head(6, tag); }
  // Tag 1 and integer epoch milliseconds: how AWS's CBOR protocol writes
  // timestamps (not RFC 8949's epoch seconds).
  void TimestampMillis(int64_t epoch_millis) {
    Tag(1);
    Int(epoch_millis);
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Head(int major, uint64_t argument);

  std::string out_;
};

}  // namespace riffle::protocol
