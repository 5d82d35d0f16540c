#include "protocol/json_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace riffle::protocol {
namespace {

TEST(JsonWriter, WritesNestedContainersWithCommas) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(-5);
  w.Key("b");
  w.BeginArray();
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("c");
  w.String("x");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-5,"b":[true,null,{},[]],"c":"x"})");
}

// Byte-by-byte reference of the string escaping.
std::string ReferenceEscaped(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Every byte value at every position of strings around the 8-byte steps.
TEST(JsonWriter, EscapesEveryByteAtEveryPosition) {
  for (size_t n = 1; n <= 20; ++n) {
    for (size_t pos = 0; pos < n; ++pos) {
      for (int c = 0; c < 256; ++c) {
        std::string s(n, 'a');
        s[pos] = static_cast<char>(c);
        JsonWriter w;
        w.String(s);
        ASSERT_EQ(w.str(), ReferenceEscaped(s)) << "length " << n << " byte " << c << " at " << pos;
      }
    }
  }
  std::string mixed;
  for (int i = 0; i < 1000; ++i) mixed.push_back(static_cast<char>((i * 37) & 0xff));
  JsonWriter w;
  w.String(mixed);
  EXPECT_EQ(w.str(), ReferenceEscaped(mixed));
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter w;
  w.String(std::string("q\"b\\n\nt\tr\rf\fb\bz\x01\x1f\x00!", 19));
  EXPECT_EQ(w.str(), R"("q\"b\\n\nt\tr\rf\fb\bz\u0001\u001f\u0000!")");
}

TEST(JsonWriter, PassesUtf8Through) {
  JsonWriter w;
  w.String("ü0 _. \xF0\x9F\x98\x80 \x7f");
  EXPECT_EQ(w.str(), "\"ü0 _. \xF0\x9F\x98\x80 \x7f\"");
}

TEST(JsonWriter, EscapesKeys) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a\"b");
  w.Int(1);
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a\"b":1})");
}

TEST(JsonWriter, PrintsTimestampsAsEpochSecondsWithMilliseconds) {
  auto ts = [](double v) {
    JsonWriter w;
    w.Timestamp(v);
    return w.Take();
  };
  EXPECT_EQ(ts(1700000000.123), "1700000000.123");
  EXPECT_EQ(ts(1700000000.5), "1700000000.5");
  EXPECT_EQ(ts(1700000000.0), "1700000000");
  EXPECT_EQ(ts(1700000000.1234), "1700000000.123");
  EXPECT_EQ(ts(1700000000.9996), "1700000001");
  EXPECT_EQ(ts(0.05), "0.05");
  EXPECT_EQ(ts(-1.5), "-1.5");
}

TEST(JsonWriter, WritesIntegerExtremesAndBlobs) {
  JsonWriter w;
  w.BeginArray();
  w.Int(INT64_MIN);
  w.Int(INT64_MAX);
  w.Blob("hello");
  w.EndArray();
  EXPECT_EQ(w.str(), R"([-9223372036854775808,9223372036854775807,"aGVsbG8="])");
}

}  // namespace
}  // namespace riffle::protocol
