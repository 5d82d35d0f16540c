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

TEST(StreamCodecTest, RoundTripVersion2Fields) {
  StreamState s = Sample();
  s.pending = PendingReshard{ReshardKind::kUniformScaling, 5, 0, HashKey()};
  s.shard_level_metrics = kAllShardLevelMetrics;
  s.encrypted = true;
  s.key_id = "alias/aws/kinesis";
  std::string bytes = EncodeStreamState(s);
  EXPECT_EQ(bytes[0], 5);
  auto decoded = DecodeStreamState(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->pending->kind, ReshardKind::kUniformScaling);
  EXPECT_EQ(decoded->pending->shard, 5u);
  EXPECT_EQ(decoded->shard_level_metrics, kAllShardLevelMetrics);
  EXPECT_TRUE(decoded->encrypted);
  EXPECT_EQ(decoded->key_id, "alias/aws/kinesis");
}

// A version 1 record, byte for byte as the first release wrote it: account
// "1", region "r", stream "s", incarnation 5, ACTIVE, created at 1000 ms,
// retention 24 h, no tags, one open shard over the whole hash space.
std::string Version1Blob() {
  std::string b = {1, 1, '1', 1, 'r', 1, 's', 5, 2};
  b += std::string(6, '\0') + "\x03\xE8";  // created_ms 1000
  b += std::string(8, '\0');                // transition_due_ms 0
  b += std::string{0, 24, 0, 1};            // no pending, retention 24, 0 tags, 1 shard
  b += std::string{0, 0};                   // shard index 0, flags 0
  b += std::string(16, '\0') + std::string(16, '\xFF');  // hash range
  b += std::string(1, '\0');                // start counter 0
  b += std::string(6, '\0') + "\x03\xE8";  // created_ms 1000
  return b;
}

TEST(StreamCodecTest, DecodesVersion1) {
  auto decoded = DecodeStreamState(Version1Blob());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->address, (StreamAddress{"1", "r", "s"}));
  EXPECT_EQ(decoded->incarnation, 5u);
  EXPECT_EQ(decoded->status, StreamStatus::kActive);
  EXPECT_EQ(decoded->created_ms, 1000);
  EXPECT_EQ(decoded->retention_hours, 24);
  ASSERT_EQ(decoded->shards.size(), 1u);
  EXPECT_EQ(decoded->shards[0].range.end, HashKey::Max());
  EXPECT_EQ(decoded->shards[0].created_ms, 1000);
  EXPECT_EQ(decoded->shard_level_metrics, 0u);
  EXPECT_FALSE(decoded->encrypted);
  // Re-encoding writes the current version with the same content.
  auto again = DecodeStreamState(EncodeStreamState(*decoded));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(EncodeStreamState(*again), EncodeStreamState(*decoded));
  // Version 1 knows no uniform-scaling pending kind, and has no trailing fields.
  EXPECT_FALSE(DecodeStreamState(Version1Blob() + std::string(3, '\0')).ok());
}

// A version 2 record: version 1's fields, then metrics, encryption, key id.
std::string Version2Blob() {
  std::string b = Version1Blob();
  b[0] = 2;
  b += std::string{3, 1, 5};  // metrics IncomingBytes|IncomingRecords, KMS, key id length 5
  b += "alias";
  return b;
}

TEST(StreamCodecTest, DecodesVersion2) {
  auto decoded = DecodeStreamState(Version2Blob());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->shard_level_metrics, 3u);
  EXPECT_TRUE(decoded->encrypted);
  EXPECT_EQ(decoded->key_id, "alias");
  EXPECT_EQ(decoded->policy, "");
  EXPECT_FALSE(DecodeStreamState(Version2Blob() + std::string(1, '\0')).ok());  // v2 has no policy
}

// A version 3 record: version 2's fields, then the resource policy.
std::string Version3Blob() {
  std::string b = Version2Blob();
  b[0] = 3;
  b += std::string{2} + "{}";
  return b;
}

TEST(StreamCodecTest, DecodesVersion3WithDefaultsOfVersion4) {
  auto decoded = DecodeStreamState(Version3Blob());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->policy, "{}");
  EXPECT_EQ(decoded->key_id, "alias");
  EXPECT_EQ(decoded->mode, StreamMode::kProvisioned);
  EXPECT_EQ(decoded->max_record_size_kib, kDefaultMaxRecordSizeKiB);
  EXPECT_FALSE(decoded->warm.has_value());
  EXPECT_TRUE(decoded->mode_switches_ms.empty());
  EXPECT_FALSE(DecodeStreamState(Version3Blob() + std::string(1, '\0')).ok());  // v3 has no mode
  std::string v6 = Version3Blob();
  v6[0] = 6;
  EXPECT_FALSE(DecodeStreamState(v6).ok());
}

TEST(StreamCodecTest, Version4ModeRecordSizeWarmThroughputAndSwitches) {
  auto decoded = DecodeStreamState(Version3Blob());
  ASSERT_TRUE(decoded.ok());
  decoded->mode = StreamMode::kOnDemand;
  decoded->max_record_size_kib = 10240;
  decoded->warm = WarmThroughput{300, 100};
  decoded->mode_switches_ms = {1000, 2000};
  std::string bytes = EncodeStreamState(*decoded);
  EXPECT_EQ(bytes[0], 5);
  // Version 3's bytes, then: ON_DEMAND, varint 10240, warm 300/100, 2 switches
  // (version 4), USER_PARTITION_KEY (version 5).
  std::string tail = bytes.substr(Version3Blob().size());
  std::string expected = {1, '\x80', 0x50, 1, '\xAC', 0x02, 100, 2};
  expected += std::string(6, '\0') + "\x03\xE8" + std::string(6, '\0') + "\x07\xD0";
  EXPECT_EQ(tail, expected + std::string(1, '\0'));
  // The same as a version 4 record (no distribution byte) decodes to USER_PARTITION_KEY.
  std::string v4 = Version3Blob() + expected;
  v4[0] = 4;
  auto old = DecodeStreamState(v4);
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_EQ(old->distribution, RecordDistribution::kUserPartitionKey);
  EXPECT_EQ(old->mode_switches_ms, (std::vector<int64_t>{1000, 2000}));
  EXPECT_FALSE(DecodeStreamState(v4 + std::string(1, '\0')).ok());  // v4 has no distribution
  auto again = DecodeStreamState(bytes);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->mode, StreamMode::kOnDemand);
  EXPECT_EQ(again->max_record_size_kib, 10240u);
  EXPECT_EQ(again->warm, (WarmThroughput{300, 100}));
  EXPECT_EQ(again->mode_switches_ms, (std::vector<int64_t>{1000, 2000}));
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeStreamState(bytes.substr(0, n)).ok()) << n;
  // A mode or record size out of range is corruption.
  std::string bad_mode = Version3Blob() + tail;
  bad_mode[0] = 5;
  bad_mode[Version3Blob().size()] = 2;
  EXPECT_FALSE(DecodeStreamState(bad_mode).ok());
  decoded->max_record_size_kib = 1023;
  EXPECT_FALSE(DecodeStreamState(EncodeStreamState(*decoded)).ok());
}

TEST(StreamCodecTest, Version5RecordDistribution) {
  auto decoded = DecodeStreamState(Version3Blob());
  ASSERT_TRUE(decoded.ok());
  decoded->mode = StreamMode::kOnDemand;
  decoded->distribution = RecordDistribution::kAuto;
  std::string bytes = EncodeStreamState(*decoded);
  EXPECT_EQ(bytes.back(), 1);
  auto again = DecodeStreamState(bytes);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->distribution, RecordDistribution::kAuto);
  bytes.back() = 2;  // no such strategy: corruption
  EXPECT_FALSE(DecodeStreamState(bytes).ok());
}

TEST(StreamCodecTest, AccountSettingsRoundTripAndKey) {
  EXPECT_EQ(AccountSettingsKey("123456789012", "us-east-1"), "account/123456789012/us-east-1/settings");
  AccountSettingsState a;
  a.status = CommitmentStatus::kEnabledUntilEarliestAllowedEnd;
  a.started_ms = 1000;
  a.ended_ms = 86401000;
  a.earliest_end_ms = 86401000;
  std::string bytes = EncodeAccountSettings(a);
  EXPECT_EQ(bytes.size(), 26u);
  EXPECT_EQ(bytes[0], 1);
  EXPECT_EQ(bytes[1], 2);
  auto decoded = DecodeAccountSettings(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, a);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeAccountSettings(bytes.substr(0, n)).ok()) << n;
  EXPECT_FALSE(DecodeAccountSettings(bytes + "x").ok());
  bytes[1] = 3;
  EXPECT_FALSE(DecodeAccountSettings(bytes).ok());
}

TEST(StreamCodecTest, ConsumerRoundTripAndKey) {
  ConsumerState c;
  c.incarnation = 7;
  c.name = "app";
  c.created_ms = 1700000000123;
  c.status = ConsumerStatus::kDeleting;
  c.transition_due_ms = 1700000001000;
  std::string bytes = EncodeConsumerState(c);
  auto decoded = DecodeConsumerState(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(EncodeConsumerState(*decoded), bytes);
  EXPECT_EQ(decoded->status, ConsumerStatus::kDeleting);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeConsumerState(bytes.substr(0, n)).ok()) << n;
  EXPECT_EQ(ConsumerMetaKey({"1", "r", "s"}, "app"), "consumer/1/r/s/app");
}

TEST(StreamCodecTest, ConsumerVersion2TagsPolicyAndVersion1StillDecodes) {
  ConsumerState c;
  c.incarnation = 9;
  c.name = "reader";
  c.created_ms = 1700000000000;
  c.status = ConsumerStatus::kActive;
  c.tags = {{"team", "data"}, {"env", ""}};
  c.policy = R"({"Version":"2012-10-17"})";
  std::string bytes = EncodeConsumerState(c);
  EXPECT_EQ(bytes[0], 2);
  auto decoded = DecodeConsumerState(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->tags, c.tags);
  EXPECT_EQ(decoded->policy, c.policy);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeConsumerState(bytes.substr(0, n)).ok()) << n;

  // A version 1 record, byte by byte as docs/storage-format.md lays it out.
  std::string v1;
  v1.push_back(1);                       // version
  v1.push_back(9);                       // varint incarnation
  v1.push_back(6);                       // name length
  v1 += "reader";
  for (int shift = 56; shift >= 0; shift -= 8) v1.push_back(static_cast<char>(uint64_t{1700000000000} >> shift));
  v1.push_back(2);                       // ACTIVE
  v1.append(8, '\0');                    // transition_due_ms
  auto old = DecodeConsumerState(v1);
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_EQ(old->name, "reader");
  EXPECT_EQ(old->created_ms, 1700000000000);
  EXPECT_EQ(old->status, ConsumerStatus::kActive);
  EXPECT_TRUE(old->tags.empty());
  EXPECT_FALSE(DecodeConsumerState(v1 + std::string(1, '\0')).ok());  // v1 has no tag count
  std::string v3 = bytes;
  v3[0] = 3;
  EXPECT_FALSE(DecodeConsumerState(v3).ok());
}

TEST(StreamCodecTest, MetaKeyNamesAccountRegionAndStream) {
  EXPECT_EQ(StreamMetaKey({"1", "r", "s"}), "stream/1/r/s");
}

}  // namespace
}  // namespace riffle::core
