#include "store/rocksdb/keys.h"

#include <gtest/gtest.h>

namespace riffle::store::rocksdb_store {
namespace {

TEST(KeysTest, RecordKeyIsByteExact) {
  std::string key = RecordKey({0x0102030405060708ULL, 0x0A0B0C0DU}, 0x1112131415161718ULL);
  EXPECT_EQ(key, std::string("\x01\x02\x03\x04\x05\x06\x07\x08"
                             "\x0A\x0B\x0C\x0D"
                             "\x11\x12\x13\x14\x15\x16\x17\x18",
                             20));
  auto decoded = DecodeRecordKey(key);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->shard, (ShardKey{0x0102030405060708ULL, 0x0A0B0C0DU}));
  EXPECT_EQ(decoded->first_counter, 0x1112131415161718ULL);
  EXPECT_FALSE(DecodeRecordKey(key.substr(1)).has_value());
}

TEST(KeysTest, RecordKeysSortByShardThenCounter) {
  ShardKey a{1, 2};
  ShardKey b{1, 3};
  ShardKey c{2, 0};
  EXPECT_LT(RecordKey(a, 5), RecordKey(a, 6));
  EXPECT_LT(RecordKey(a, 255), RecordKey(a, 256));
  EXPECT_LT(RecordKey(a, UINT64_MAX), RecordKeyEnd(a));
  EXPECT_LT(RecordKeyEnd(a), RecordKey(b, 0));
  EXPECT_LT(RecordKey(b, UINT64_MAX), RecordKey(c, 0));
  EXPECT_LE(ShardPrefix(a), RecordKey(a, 0));
  ShardKey max{UINT64_MAX, UINT32_MAX};
  EXPECT_LT(RecordKey(max, UINT64_MAX), RecordKeyEnd(max));
}

TEST(KeysTest, TimeKeyRoundTripsAndSortsByTime) {
  ShardKey s{7, 9};
  for (int64_t ms : {INT64_MIN, int64_t{-5}, int64_t{0}, int64_t{1700000000000}, INT64_MAX}) {
    auto decoded = DecodeTimeKey(TimeKey(s, ms, 42));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->shard, s);
    EXPECT_EQ(decoded->arrival_ms, ms);
    EXPECT_EQ(decoded->first_counter, 42u);
  }
  EXPECT_LT(TimeKey(s, -1, 100), TimeKey(s, 0, 0));
  EXPECT_LT(TimeKey(s, 1000, 1), TimeKey(s, 1000, 2));
  EXPECT_LT(TimeKey(s, 1000, 99), TimeKey(s, 1001, 0));
  EXPECT_LT(TimeKey(s, INT64_MAX, UINT64_MAX), TimeKeyEnd(s));
  EXPECT_LT(TimeKeyEnd(s), TimeKey({7, 10}, INT64_MIN, 0));
  EXPECT_EQ(TimeKey(s, 0, 0).substr(12, 8), std::string("\x80\0\0\0\0\0\0\0", 8));
}

TEST(KeysTest, TimeIndexValue) {
  EXPECT_EQ(TimeIndexValue(1), std::string("\x01\x01", 2));
  EXPECT_EQ(TimeIndexValue(500), std::string("\x01\xF4\x03", 3));
}

TEST(KeysTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("abc"), std::optional<std::string>("abd"));
  EXPECT_EQ(PrefixSuccessor(std::string("a\xFF", 2)), std::optional<std::string>("b"));
  EXPECT_FALSE(PrefixSuccessor(std::string("\xFF\xFF", 2)).has_value());
  EXPECT_FALSE(PrefixSuccessor("").has_value());
}

}  // namespace
}  // namespace riffle::store::rocksdb_store
