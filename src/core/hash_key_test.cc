// Hash keys: decimal round trips, MD5 routing and the even split of the
// space that CreateStream uses.
#include "core/hash_key.h"

#include <gtest/gtest.h>

namespace riffle::core {
namespace {

TEST(HashKeyTest, DecimalRoundTripAndBounds) {
  EXPECT_EQ(HashKey::FromDecimal("0")->ToDecimal(), "0");
  auto max = HashKey::FromDecimal("340282366920938463463374607431768211455");
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, HashKey::Max());
  EXPECT_FALSE(HashKey::FromDecimal("340282366920938463463374607431768211456"));  // 2^128
  EXPECT_FALSE(HashKey::FromDecimal("12a"));
  EXPECT_FALSE(HashKey::FromDecimal(""));
}

TEST(HashKeyTest, PartitionKeyIsBigEndianMd5) {
  // md5("a") = 0cc175b9c0f1b6a831c399e269772661
  EXPECT_EQ(HashKey::FromPartitionKey("a").ToDecimal(), "16955237001963240173058271559858726497");
}

TEST(HashKeyTest, UniformRangesMatchKinesisLayout) {
  // The three-shard layout Kinesis creates.
  EXPECT_EQ(UniformRange(0, 3).end.ToDecimal(), "113427455640312821154458202477256070484");
  EXPECT_EQ(UniformRange(1, 3).start.ToDecimal(), "113427455640312821154458202477256070485");
  EXPECT_EQ(UniformRange(2, 3).start.ToDecimal(), "226854911280625642308916404954512140970");
  EXPECT_EQ(UniformRange(2, 3).end, HashKey::Max());
  EXPECT_EQ(UniformRange(1, 2).start.ToDecimal(), "170141183460469231731687303715884105728");
  EXPECT_EQ(UniformRange(0, 1).start, HashKey());
  EXPECT_EQ(UniformRange(0, 1).end, HashKey::Max());
}

TEST(HashKeyTest, UniformRangesCoverSpaceWithoutGaps) {
  for (uint32_t n : {1u, 2u, 3u, 7u, 10u, 500u}) {
    EXPECT_EQ(UniformRange(0, n).start, HashKey());
    for (uint32_t i = 0; i + 1 < n; ++i) {
      EXPECT_EQ(UniformRange(i, n).end.value() + 1, UniformRange(i + 1, n).start.value()) << n << " " << i;
    }
    EXPECT_EQ(UniformRange(n - 1, n).end, HashKey::Max());
  }
}

}  // namespace
}  // namespace riffle::core
