// Stream metadata encoding: round trip of every field, and corruption is
// reported instead of misread.
#include "core/stream_codec.h"

#include <gtest/gtest.h>

namespace riffle::core {
namespace {

StreamState Sample() {
  StreamState s;
  s.address = {"123456789012", "eu-west-1", "orders"};
  s.incarnation = 9;
  s.status = StreamStatus::kUpdating;
  s.created_ms = 1700000000000;
  s.transition_due_ms = 1700000005000;
  s.pending = PendingReshard{ReshardKind::kMerge, 1, 2, HashKey(77)};
  s.retention_hours = 48;
  s.tags = {{"env", "prod"}, {"team", ""}};
  ShardState a;
  a.index = 0;
  a.range = UniformRange(0, 1);
  a.closed = true;
  a.end_counter = 10;
  a.closed_ms = 5;
  ShardState b;
  b.index = 1;
  b.parent = 0;
  b.adjacent_parent = 0;
  b.range = UniformRange(0, 1);
  b.start_counter = 10;
  s.shards = {a, b};
  return s;
}

TEST(StreamCodecTest, RoundTrip) {
  StreamState s = Sample();
  auto decoded = DecodeStreamState(EncodeStreamState(s));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(EncodeStreamState(*decoded), EncodeStreamState(s));
  EXPECT_EQ(decoded->address, s.address);
  EXPECT_EQ(decoded->shards[1].parent, 0u);
  EXPECT_TRUE(decoded->shards[0].closed);
  EXPECT_EQ(decoded->tags.at("env"), "prod");
}

TEST(StreamCodecTest, TruncationIsCorruption) {
  std::string bytes = EncodeStreamState(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeStreamState(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DecodeStreamState(bytes + "x").ok());
}

TEST(StreamCodecTest, MetaKeyNamesAccountRegionAndStream) {
  EXPECT_EQ(StreamMetaKey({"1", "r", "s"}), "stream/1/r/s");
}

}  // namespace
}  // namespace riffle::core
