// JsonWriter: a small append-only JSON writer into a std::string, used by
// the generated encoders (wire_json) and by hand-written responses.
//
// Contract: the caller emits a well-formed sequence (Key before every value
// inside an object, balanced Begin/End); the writer inserts commas and
// escapes strings but does not check nesting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/buffer_cache.h"

namespace riffle::protocol {

class JsonWriter {
 public:
  JsonWriter() = default;
  // Reserves `capacity` bytes up front (e.g. an estimate of the body size).
  // Large buffers come from (and, if never taken, go back to) BufferCache.
  explicit JsonWriter(size_t capacity) : out_(BufferCache::Global().Take(capacity)) {}
  ~JsonWriter() { BufferCache::Global().Give(std::move(out_)); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();

  // An object key; `key` is escaped like any string.
  void Key(std::string_view key);

  // A string value: '"' and '\' and control characters (< 0x20) are escaped,
  // everything else (incl. UTF-8 multi-byte sequences) is copied verbatim.
  void String(std::string_view value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // Epoch seconds rounded to milliseconds, never in exponent form:
  // 1700000000.123, 1700000000.5, 1700000000.
  void Timestamp(double epoch_seconds);
  // `bytes` base64-encoded as a JSON string.
  void Blob(std::string_view bytes);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = false;
  }
  void AppendEscaped(std::string_view s);

  std::string out_;
  bool need_comma_ = false;  // a value was just completed at this level
};

}  // namespace riffle::protocol
