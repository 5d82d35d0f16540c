#include "store/codec/batch_codec.h"

#include <gtest/gtest.h>


namespace riffle::store::codec {
namespace {

AppendBatch MakeBatch(int n, int64_t arrival = 1700000000123) {
  AppendBatch b;
  b.shard = {3, 1};
  b.arrival_ms = arrival;
  for (int i = 0; i < n; ++i) {
    b.entries.push_back({"pk" + std::to_string(i), std::string(static_cast<size_t>(i) * 10, 'x')});
  }
  return b;
}

TEST(BatchCodecTest, ByteExactSmallBatch) {
  AppendBatch b;
  b.arrival_ms = 1;
  b.entries.push_back({"k", "ab"});
  std::string value;
  ASSERT_TRUE(EncodeBatch(b, &value).ok());
  std::string body("\x01"                              // format version
                   "\x00\x00\x00\x00\x00\x00\x00\x01"  // arrival_ms
                   "\x01"                              // record count
                   "\x01k"                             // partition key
                   "\x02"
                   "ab",  // data
                   15);
  ASSERT_EQ(value.size(), body.size() + 4);
  EXPECT_EQ(value.substr(0, body.size()), body);
  EXPECT_EQ(value.size(), EncodedBatchSize(b));
}

TEST(BatchCodecTest, RoundTrip) {
  for (int64_t arrival : {int64_t{-1}, int64_t{0}, int64_t{1700000000123}}) {
    AppendBatch b = MakeBatch(50, arrival);
    std::string value;
    ASSERT_TRUE(EncodeBatch(b, &value).ok());
    EXPECT_EQ(value.size(), EncodedBatchSize(b));
    BatchReader r;
    ASSERT_TRUE(r.Init(value).ok());
    EXPECT_EQ(r.arrival_ms(), arrival);
    ASSERT_EQ(r.record_count(), 50u);
    std::string_view pk, data;
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(r.Next(&pk, &data));
      EXPECT_EQ(pk, b.entries[static_cast<size_t>(i)].partition_key);
      EXPECT_EQ(data, b.entries[static_cast<size_t>(i)].data);
    }
    EXPECT_FALSE(r.Next(&pk, &data));
    EXPECT_TRUE(r.status().ok());
  }
}

TEST(BatchCodecTest, PartsEncodeAsOneBatchOfTheirRecordsInOrder) {
  AppendBatch b = MakeBatch(5);
  std::string whole;
  ASSERT_TRUE(EncodeBatch(b, &whole).ok());
  const std::span<const AppendEntry> all(b.entries);
  const std::span<const AppendEntry> parts[] = {all.subspan(0, 2), all.subspan(2, 0), all.subspan(2)};
  std::string joined = "prefix";
  ASSERT_TRUE(EncodeBatchParts(b.arrival_ms, parts, &joined).ok());
  EXPECT_EQ(joined, "prefix" + whole);
  const std::span<const AppendEntry> none[] = {all.subspan(0, 0)};
  EXPECT_EQ(EncodeBatchParts(b.arrival_ms, none, &joined).code(), Errc::kInvalidArgument);
}

TEST(BatchCodecTest, RejectsUnencodableBatches) {
  std::string value;
  AppendBatch empty;
  EXPECT_EQ(EncodeBatch(empty, &value).code(), Errc::kInvalidArgument);
  AppendBatch two = MakeBatch(2);
  EXPECT_TRUE(EncodeBatch(two, &value).ok());
  // A part of a batch encodes on its own (the JetStream store splits batches).
  std::string part;
  ASSERT_TRUE(EncodeBatch(two.arrival_ms, std::span(two.entries).subspan(1), &part).ok());
  BatchReader r;
  ASSERT_TRUE(r.Init(part).ok());
  EXPECT_EQ(r.record_count(), 1u);
  EXPECT_EQ(part.size(), EncodedBatchSize(std::span(two.entries).subspan(1)));
}

TEST(BatchCodecTest, DetectsEveryFlippedBit) {
  std::string value;
  ASSERT_TRUE(EncodeBatch(MakeBatch(3), &value).ok());
  for (size_t i = 0; i < value.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = value;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      BatchReader r;
      Status s = r.Init(bad);
      ASSERT_FALSE(s.ok()) << "byte " << i << " bit " << bit;
      EXPECT_EQ(s.code(), Errc::kStorageError);
    }
  }
}

TEST(BatchCodecTest, DetectsTruncationAndUnknownVersion) {
  std::string value;
  ASSERT_TRUE(EncodeBatch(MakeBatch(3), &value).ok());
  for (size_t len = 0; len < value.size(); ++len) {
    BatchReader r;
    EXPECT_EQ(r.Init(std::string_view(value).substr(0, len)).code(), Errc::kStorageError) << len;
  }
  std::string v2 = value;
  v2[0] = 2;
  BatchReader r;
  Status s = r.Init(v2);
  EXPECT_EQ(s.code(), Errc::kStorageError);
  EXPECT_NE(s.message().find("format version 2"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace riffle::store::codec
