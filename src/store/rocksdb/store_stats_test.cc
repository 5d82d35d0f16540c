// What the RocksDB store reports for /metrics: the latency of its writes and
// syncs, and the approximate bytes each log takes.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "store/rocksdb/rocksdb_store.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace riffle::store {
namespace {

using ::riffle::store::testing::AppendOne;
using ::riffle::store::testing::TempDir;

constexpr ShardKey kFull{7, 0};
constexpr ShardKey kEmpty{7, 1};

std::unique_ptr<Store> Open(const TempDir& dir, SyncPolicy sync) {
  Options o;
  o.path = dir.path();
  o.sync = sync;
  auto s = OpenRocksDbStore(o);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

// `count` records of `bytes` bytes each that do not compress.
AppendBatch Batch(ShardKey shard, int count, size_t bytes) {
  static std::mt19937_64 random(42);
  AppendBatch batch;
  batch.shard = shard;
  batch.arrival_ms = 1000;
  for (int i = 0; i < count; ++i) {
    std::string data(bytes, '\0');
    for (char& c : data) c = static_cast<char>(random());
    batch.entries.push_back({"pk" + std::to_string(i), std::move(data)});
  }
  return batch;
}

TEST(StoreStatsTest, CountsEachWriteAndEachSyncUnderSyncAlways) {
  TempDir dir{"riffle-stats"};
  auto store = Open(dir, SyncPolicy::kAlways);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateLog(kFull, {}).ok());
  auto before = store->Stats();
  ASSERT_TRUE(before.has_value());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(AppendOne(*store, Batch(kFull, 2, 100)).error.ok());
  auto after = store->Stats();
  ASSERT_TRUE(after.has_value());
  // Each append waited for its own write here (one at a time), each synced.
  EXPECT_GE(after->writes.count - before->writes.count, 5u);
  EXPECT_GE(after->syncs.count - before->syncs.count, 5u);
  EXPECT_EQ(after->failed_writes, 0u);
  uint64_t in_buckets = 0;
  for (uint64_t b : after->writes.buckets) in_buckets += b;
  EXPECT_EQ(in_buckets, after->writes.count);
  store->Close();
}

TEST(StoreStatsTest, SyncNeverSyncsNothing) {
  TempDir dir{"riffle-stats"};
  auto store = Open(dir, SyncPolicy::kNever);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateLog(kFull, {}).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendOne(*store, Batch(kFull, 2, 100)).error.ok());
  auto stats = store->Stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_GE(stats->writes.count, 3u);
  EXPECT_EQ(stats->syncs.count, 0u);
  store->Close();
}

TEST(StoreStatsTest, ApproximateLogBytesGrowWithTheLogsRecordsOnly) {
  TempDir dir{"riffle-stats"};
  auto store = Open(dir, SyncPolicy::kAlways);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateLog(kFull, {}).ok());
  ASSERT_TRUE(store->CreateLog(kEmpty, {}).ok());
  const ShardKey keys[] = {kFull, kEmpty, ShardKey{99, 0}};
  auto sizes = store->ApproximateLogBytes(keys);
  ASSERT_EQ(sizes.size(), 3u);
  // 4 MiB of records.
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(AppendOne(*store, Batch(kFull, 16, 16 << 10)).error.ok());
  // Counted while in the memtable too. RocksDB estimates a memtable range
  // from a walk down its skip list, so for these sixteen 256 KiB entries the
  // figure is a multiple of one entry that varies from run to run (a quarter
  // of the truth was seen): only "counted at all" holds for it.
  sizes = store->ApproximateLogBytes(keys);
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_GT(sizes[0], 0u);
  EXPECT_EQ(sizes[1], 0u);
  EXPECT_EQ(sizes[2], 0u);
  // Reopening flushes what the WAL recovers into table files, whose index
  // gives a close figure.
  store->Close();
  store = Open(dir, SyncPolicy::kAlways);
  ASSERT_NE(store, nullptr);
  sizes = store->ApproximateLogBytes(keys);
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_GT(sizes[0], 2u << 20);
  EXPECT_EQ(sizes[1], 0u);
  store->Close();
}

}  // namespace
}  // namespace riffle::store
