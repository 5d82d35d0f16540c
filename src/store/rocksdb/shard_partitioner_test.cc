#include "store/rocksdb/shard_partitioner.h"

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>

#include "store/rocksdb/keys.h"

namespace riffle::store::rocksdb_store {
namespace {

rocksdb::PartitionerResult Decide(ShardPartitioner& p, const std::string& prev, const std::string& cur,
                                  uint64_t size) {
  rocksdb::Slice a(prev), b(cur);
  return p.ShouldPartition(rocksdb::PartitionerRequest(a, b, size));
}

TEST(ShardPartitionerTest, CutsAtAShardBoundaryOnceTheFileIsBigEnough) {
  ShardPartitioner p(kShardPrefixSize, 1000);
  const std::string a1 = RecordKey({7, 0}, 10), a2 = RecordKey({7, 0}, 11), b = RecordKey({7, 1}, 0);
  EXPECT_EQ(Decide(p, a1, a2, 5000), rocksdb::kNotRequired);  // same shard
  EXPECT_EQ(Decide(p, a2, b, 5000), rocksdb::kRequired);      // next shard, file big enough
  EXPECT_EQ(Decide(p, a2, b, 999), rocksdb::kNotRequired);    // next shard, file still small
  EXPECT_EQ(Decide(p, RecordKey({7, 0}, 1), RecordKey({8, 0}, 1), 1000), rocksdb::kRequired);
  // Time-index keys share the prefix.
  EXPECT_EQ(Decide(p, TimeKey({7, 0}, 5, 1), TimeKey({7, 0}, 6, 9), 5000), rocksdb::kNotRequired);
  EXPECT_EQ(Decide(p, TimeKey({7, 0}, 5, 1), TimeKey({7, 2}, 0, 0), 5000), rocksdb::kRequired);
  // Keys shorter than a prefix (none are written) cut only when they differ.
  EXPECT_EQ(Decide(p, "ab", "ab", 5000), rocksdb::kNotRequired);
  EXPECT_EQ(Decide(p, "ab", "ac", 5000), rocksdb::kRequired);
  EXPECT_TRUE(p.CanDoTrivialMove(a1, b));
}

// Four shards written in turn, flushed several times (every L0 file spans all
// four), then compacted: each output file holds one shard.
TEST(ShardPartitionerTest, CompactedFilesHoldOneShardEach) {
  const std::string dir = ::testing::TempDir() + "/shard_partitioner_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.disable_auto_compactions = true;
  options.sst_partitioner_factory = std::make_shared<ShardPartitionerFactory>(kShardPrefixSize, 1);
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string value(1000, 'v');
  uint64_t counter = 0;
  for (int flush = 0; flush < 3; ++flush) {
    for (int i = 0; i < 50; ++i, ++counter) {
      for (uint32_t shard = 0; shard < 4; ++shard) {
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), RecordKey({1, shard}, counter), value).ok());
      }
    }
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  }
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(db->CompactRange(compact, nullptr, nullptr).ok());

  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(&meta);
  int files = 0;
  for (const rocksdb::LevelMetaData& level : meta.levels) {
    for (const rocksdb::SstFileMetaData& file : level.files) {
      ++files;
      EXPECT_EQ(file.smallestkey.substr(0, kShardPrefixSize), file.largestkey.substr(0, kShardPrefixSize))
          << file.name << " spans shards";
    }
  }
  EXPECT_EQ(files, 4);
  db.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace riffle::store::rocksdb_store
