#include "client/hash_key.h"

#include <gtest/gtest.h>

namespace riffle::kinesis::internal {
namespace {

TEST(HashKey, PartitionKeyIsItsMd5ReadBigEndian) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661 (Python: int(hashlib.md5(b"a").hexdigest(), 16))
  HashKey expected = (static_cast<HashKey>(0x0cc175b9c0f1b6a8ULL) << 64) | 0x31c399e269772661ULL;
  EXPECT_EQ(HashKeyOfPartitionKey("a"), expected);
  EXPECT_EQ(FormatHashKey(expected), "16955237001963240173058271559858726497");
}

TEST(HashKey, ParsesTheApiRange) {
  EXPECT_EQ(ParseHashKey("0"), HashKey{0});
  EXPECT_EQ(FormatHashKey(*ParseHashKey("340282366920938463463374607431768211455")),
            "340282366920938463463374607431768211455");  // 2^128 - 1
  EXPECT_FALSE(ParseHashKey("340282366920938463463374607431768211456"));  // 2^128
  EXPECT_FALSE(ParseHashKey(""));
  EXPECT_FALSE(ParseHashKey("01"));
  EXPECT_FALSE(ParseHashKey("-1"));
  EXPECT_FALSE(ParseHashKey("12a"));
}

}  // namespace
}  // namespace riffle::kinesis::internal
