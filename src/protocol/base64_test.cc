#include "protocol/base64.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

namespace riffle::protocol {
namespace {

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= bytes.size(); n += 37) {
    std::string part = bytes.substr(0, n);
    EXPECT_EQ(Base64Decode(Base64Encode(part)), part);
  }
}

TEST(Base64, DecodesCanonicalText) {
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
}

TEST(Base64, RejectsWhatAwsRejects) {
  EXPECT_FALSE(Base64Decode("23456"));      // length not a multiple of 4
  EXPECT_FALSE(Base64Decode("=+/="));       // '=' not at the end
  EXPECT_FALSE(Base64Decode("+/+="));       // non-zero unused bits
  EXPECT_FALSE(Base64Decode("Zh=="));       // non-zero unused bits
  EXPECT_FALSE(Base64Decode("A==="));       // too much padding
  EXPECT_FALSE(Base64Decode("===="));
  EXPECT_FALSE(Base64Decode("ab c"));
  EXPECT_FALSE(Base64Decode("aGVs\nbG8="));  // no whitespace allowed
}

// Texts from kinesalite test/helpers.js assertType('Blob'), captured from AWS.
TEST(Base64, ErrorDetailsMatchAws) {
  EXPECT_EQ(Base64DecodeErrorDetail("23456"),
            "Base64 encoded length is expected a multiple of 4 bytes but found: 5");
  EXPECT_EQ(Base64DecodeErrorDetail("=+/="), "Invalid Base64 character: '='");
  EXPECT_EQ(Base64DecodeErrorDetail("+/+="), "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(Base64DecodeErrorDetail("ab c"), "Invalid Base64 character: ' '");
  EXPECT_EQ(Base64DecodeErrorDetail("aGVsbG8="), "");
}

// Bit-by-bit reference codec, to check the table and vector paths against.
constexpr char kReferenceAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string ReferenceEncode(const std::string& bytes) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kReferenceAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kReferenceAlphabet[(acc << (6 - bits)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::string RandomBytes(size_t n, std::mt19937& rng) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// Lengths around the 24-byte / 32-character blocks of the vector kernels.
TEST(Base64, MatchesReferenceAtEveryLength) {
  std::mt19937 rng(7);
  for (size_t n = 0; n <= 300; ++n) {
    std::string bytes = RandomBytes(n, rng);
    std::string text = Base64Encode(bytes);
    ASSERT_EQ(text, ReferenceEncode(bytes)) << "length " << n;
    ASSERT_EQ(Base64Decode(text), bytes) << "length " << n;
  }
  std::string large = RandomBytes(1 << 20, rng);
  EXPECT_EQ(Base64Encode(large), ReferenceEncode(large));
  EXPECT_EQ(Base64Decode(ReferenceEncode(large)), large);
}

// Every byte value, placed at every position of a text long enough for
// several vector blocks, is accepted exactly when it is in the alphabet.
TEST(Base64, RejectsEveryForeignCharacterAtEveryPosition) {
  std::mt19937 rng(11);
  const std::string bytes = RandomBytes(96, rng);  // 128 characters, no padding
  const std::string text = ReferenceEncode(bytes);
  const std::string alphabet = kReferenceAlphabet;
  for (size_t pos = 0; pos < text.size(); pos += 5) {
    for (int c = 0; c < 256; ++c) {
      std::string changed = text;
      changed[pos] = static_cast<char>(c);
      bool valid = alphabet.find(static_cast<char>(c)) != std::string::npos;
      // '=' is valid only as padding at the end.
      if (static_cast<char>(c) == '=') valid = false;
      if (static_cast<char>(c) == '=' && pos + 1 == text.size()) continue;
      std::optional<std::string> decoded = Base64Decode(changed);
      ASSERT_EQ(decoded.has_value(), valid) << "byte " << c << " at " << pos;
      if (valid) {
        ASSERT_EQ(ReferenceEncode(*decoded), changed) << "byte " << c << " at " << pos;
      }
    }
  }
}

}  // namespace
}  // namespace riffle::protocol
