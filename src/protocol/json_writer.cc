#include "protocol/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "protocol/base64.h"

namespace riffle::protocol {
namespace {

// 1 for bytes that need escaping in a JSON string.
constexpr std::array<bool, 256> MakeEscapeTable() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}
constexpr std::array<bool, 256> kNeedsEscape = MakeEscapeTable();

}  // namespace

void JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
}

void JsonWriter::EndObject() {
  out_.push_back('}');
  need_comma_ = true;
}

void JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
}

void JsonWriter::EndArray() {
  out_.push_back(']');
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  Separate();
  AppendEscaped(key);
  out_.push_back(':');
}

void JsonWriter::String(std::string_view value) {
  Separate();
  AppendEscaped(value);
  need_comma_ = true;
}

void JsonWriter::Int(int64_t value) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;  // 24 bytes hold every int64_t
  out_.append(buf, end);
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  Separate();
  out_.append(value ? "true" : "false");
  need_comma_ = true;
}

void JsonWriter::Null() {
  Separate();
  out_.append("null");
  need_comma_ = true;
}

void JsonWriter::Timestamp(double epoch_seconds) {
  Separate();
  if (!std::isfinite(epoch_seconds)) epoch_seconds = 0;
  long long ms = std::llround(epoch_seconds * 1000.0);
  bool negative = ms < 0;
  unsigned long long abs_ms = negative ? 0ULL - static_cast<unsigned long long>(ms)
                                       : static_cast<unsigned long long>(ms);
  char buf[40];
  char* begin = buf;
  if (negative) *begin++ = '-';
  auto [end, ec] = std::to_chars(begin, buf + sizeof(buf), abs_ms / 1000);
  (void)ec;  // 40 bytes hold every unsigned long long
  out_.append(buf, end);
  unsigned frac = static_cast<unsigned>(abs_ms % 1000);
  if (frac != 0) {
    char digits[4] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                      static_cast<char>('0' + frac % 10), 0};
    int len = 3;
    while (digits[len - 1] == '0') --len;
    out_.push_back('.');
    out_.append(digits, static_cast<size_t>(len));
  }
  need_comma_ = true;
}

void JsonWriter::Blob(std::string_view bytes) {
  Separate();
  out_.push_back('"');
  Base64EncodeAppend(bytes, &out_);
  out_.push_back('"');
  need_comma_ = true;
}

namespace {

// True if any of the 8 bytes of `w` needs escaping: is below 0x20, '"' or '\\'.
// (Bit tricks that are exact for "any byte"; bytes >= 0x80 never match.)
bool WordNeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  const bool control = ((w - kOnes * 0x20) & ~w & kHigh) != 0;
  return control || has_zero(w ^ (kOnes * '"')) || has_zero(w ^ (kOnes * '\\'));
}

}  // namespace

void JsonWriter::AppendEscaped(std::string_view s) {
  out_.push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    // Skip 8 plain bytes at a time (most keys, ids and numbers are plain).
    while (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (WordNeedsEscape(word)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kNeedsEscape[c]) continue;
    out_.append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out_.append("\\\""); break;
      case '\\': out_.append("\\\\"); break;
      case '\b': out_.append("\\b"); break;
      case '\f': out_.append("\\f"); break;
      case '\n': out_.append("\\n"); break;
      case '\r': out_.append("\\r"); break;
      case '\t': out_.append("\\t"); break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out_.append(esc, 6);
      }
    }
  }
  out_.append(s.data() + run_start, s.size() - run_start);
  out_.push_back('"');
}

}  // namespace riffle::protocol
