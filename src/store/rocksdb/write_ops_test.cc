#include "store/rocksdb/write_ops.h"

#include <gtest/gtest.h>

#include "store/rocksdb/keys.h"

namespace riffle::store::rocksdb_store {
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

TEST(WriteOpsTest, BuildsOpsInOrder) {
  PreparedMutation m;
  m.AddDropRecords({9, 9});
  ASSERT_TRUE(m.AddAppend({3, 1}, 100, MakeBatch(2)).ok());
  m.AddMeta({"k0", std::nullopt});
  m.AddMeta({"k1", "v1"});
  ASSERT_EQ(m.ops.size(), 6u);
  EXPECT_EQ(m.ops[0].kind, WriteOp::Kind::kDeleteRange);
  EXPECT_EQ(m.ops[0].cf, Cf::kRecords);
  EXPECT_EQ(m.ops[1].cf, Cf::kTimeIndex);
  EXPECT_EQ(m.ops[2].cf, Cf::kRecords);
  EXPECT_EQ(m.ops[2].kind, WriteOp::Kind::kPut);
  EXPECT_EQ(m.ops[2].key, RecordKey({3, 1}, 100));
  EXPECT_EQ(m.ops[3].cf, Cf::kTimeIndex);
  EXPECT_EQ(m.ops[4].kind, WriteOp::Kind::kDelete);
  EXPECT_EQ(m.ops[5].key, "k1");
  EXPECT_EQ(m.ops[5].value, "v1");
}

TEST(WriteOpsTest, RefusesUnencodableAppends) {
  PreparedMutation m;
  EXPECT_EQ(m.AddAppend({3, 1}, 1, AppendBatch{}).code(), Errc::kInvalidArgument);           // no records
  EXPECT_EQ(m.AddAppend({3, 1}, UINT64_MAX, MakeBatch(2)).code(), Errc::kInvalidArgument);  // counters overflow
  EXPECT_TRUE(m.AddAppend({3, 1}, UINT64_MAX - 1, MakeBatch(2)).ok());
}

}  // namespace
}  // namespace riffle::store::rocksdb_store
