#include "protocol/base64.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace riffle::protocol
