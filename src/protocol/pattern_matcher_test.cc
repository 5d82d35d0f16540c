#include "protocol/pattern_matcher.h"

#include <gtest/gtest.h>

namespace riffle::protocol {
namespace {

TEST(PatternMatcher, StreamName) {
  PatternMatcher m("[a-zA-Z0-9_.-]+");
  EXPECT_TRUE(m.Matches("my-stream_1.x"));
  EXPECT_FALSE(m.Matches(""));
  EXPECT_FALSE(m.Matches("a b"));
  EXPECT_FALSE(m.Matches("ü"));
}

TEST(PatternMatcher, HashKeyAlternationIsAnchoredAsAWhole) {
  PatternMatcher m("0|([1-9]\\d{0,38})");
  EXPECT_TRUE(m.Matches("0"));
  EXPECT_TRUE(m.Matches("340282366920938463463374607431768211455"));
  EXPECT_FALSE(m.Matches(""));
  EXPECT_FALSE(m.Matches("01"));
  EXPECT_FALSE(m.Matches("1" + std::string(39, '0')));  // 40 digits
  EXPECT_TRUE(m.Matches("1" + std::string(38, '0')));
  EXPECT_FALSE(m.Matches("12a"));
}

TEST(PatternMatcher, StreamArn) {
  PatternMatcher m("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
  EXPECT_TRUE(m.Matches("arn:aws:kinesis:us-east-1:000000000000:stream/s"));
  EXPECT_TRUE(m.Matches("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/ü"));
  EXPECT_FALSE(m.Matches("arn:aws:kinesis:us-east-1:00000000000:stream/s"));
  EXPECT_FALSE(m.Matches("arn:aws:kinesis:us-east-1:000000000000:stream/a b"));
  EXPECT_FALSE(m.Matches("arn:aws:kinesis:us-east-1:000000000000:stream/"));
}

TEST(PatternMatcher, ConsumerArnWithCaretAndEscapedSlashes) {
  PatternMatcher m(
      "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+");
  EXPECT_TRUE(m.Matches("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1700000000"));
  EXPECT_FALSE(m.Matches("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:"));
}

TEST(PatternMatcher, StreamIdCountedRepetition) {
  PatternMatcher m("[a-z0-9]{20}-[a-z0-9]{3}");
  EXPECT_TRUE(m.Matches("abcdefghij0123456789-abc"));
  EXPECT_FALSE(m.Matches("abcdefghij012345678-abc"));
}

TEST(PatternMatcher, LongInputIsLinear) {
  PatternMatcher m("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
  std::string evil = "arn:aws" + std::string(100000, ':') + "kinesis";
  EXPECT_FALSE(m.Matches(evil));
}

TEST(PatternMatcher, RejectsUnsupportedSyntax) {
  EXPECT_THROW(PatternMatcher("(a"), std::invalid_argument);
  EXPECT_THROW(PatternMatcher("\\p{L}"), std::invalid_argument);
}

}  // namespace
}  // namespace riffle::protocol
