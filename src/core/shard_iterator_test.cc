// Shard iterators: round trip, bounded length, and rejection of forged or
// altered tokens.
#include "core/shard_iterator.h"

#include <gtest/gtest.h>

namespace riffle::core {
namespace {

ShardIterator Sample() {
  ShardIterator it;
  it.incarnation = 17;
  it.shard_index = 3;
  it.position = 123456;
  it.issued_ms = 1700000000123;
  it.account_id = "000000000000";
  it.stream_name = std::string(128, 'n');
  return it;
}

TEST(ShardIteratorTest, RoundTripsWithinLengthLimit) {
  ShardIteratorCodec codec(std::string(32, 'k'));
  std::string token = codec.Encode(Sample());
  EXPECT_LE(token.size(), 512u);
  auto decoded = codec.Decode(token);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, Sample());
}

TEST(ShardIteratorTest, RejectsAlteredForgedAndGarbage) {
  ShardIteratorCodec codec(std::string(32, 'k'));
  std::string token = codec.Encode(Sample());
  for (size_t i = 0; i < token.size(); i += 7) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.Decode(altered)) << i;
  }
  ShardIteratorCodec other(std::string(32, 'x'));
  EXPECT_FALSE(other.Decode(token));
  EXPECT_FALSE(codec.Decode(""));
  EXPECT_FALSE(codec.Decode("not a token"));
  EXPECT_FALSE(codec.Decode(token.substr(0, token.size() - 4)));
  EXPECT_FALSE(codec.Decode(token + "AAAA"));
}

}  // namespace
}  // namespace riffle::core
