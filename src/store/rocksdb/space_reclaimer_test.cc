// Deleted records give their disk space back: table files shrink after a
// shard is dropped (a deleted stream) or trimmed (retention), without any
// other write to trigger a compaction.
#include "store/rocksdb/space_reclaimer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "store/rocksdb/rocksdb_store.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace riffle::store {
namespace {

constexpr ShardKey kShard{9, 0};
constexpr ShardKey kOther{9, 1};
constexpr int kBatches = 48;
constexpr size_t kBatchBytes = 512 << 10;  // 24 MiB in all

class SpaceReclaimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "riffle-reclaim-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    Options o;
    o.path = dir_;
    rocksdb_store::Tuning t;
    t.memtable_budget_bytes = rocksdb_store::kMinMemtableBudgetBytes;  // records reach table files
    auto s = rocksdb_store::Open(o, t);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    if (store_) store_->Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // kBatches batches of incompressible data; returns the last counter.
  uint64_t Fill(ShardKey shard) {
    std::mt19937_64 rng(shard.shard_index + 1);
    EXPECT_TRUE(store_->CreateLog(shard, {}).ok());
    uint64_t counter = 1;
    for (int i = 0; i < kBatches; ++i) {
      AppendBatch b;
      b.shard = shard;
      b.arrival_ms = 1000 + i;
      std::string data(kBatchBytes, '\0');
      for (size_t j = 0; j + 8 <= data.size(); j += 8) {
        uint64_t v = rng();
        std::memcpy(&data[j], &v, 8);
      }
      b.entries.push_back({"pk", std::move(data)});
      EXPECT_TRUE(::riffle::store::testing::AppendOne(*store_, std::move(b)).error.ok());
      ++counter;
    }
    return counter - 1;
  }
  uint64_t TableBytes() const {
    uint64_t bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().extension() == ".sst") bytes += entry.file_size();
    }
    return bytes;
  }
  // Polls (the reclaimer works in the background) until table files are
  // below `bytes`, running `each` every round; false after a generous deadline.
  bool WaitForTablesBelow(uint64_t bytes, const std::function<void()>& each = {}) {
    for (int i = 0; i < 1200; ++i) {
      if (TableBytes() < bytes) return true;
      if (each) each();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SpaceReclaimTest, DroppedShardLeavesTheTableFiles) {
  Fill(kOther);
  const uint64_t other_only = TableBytes();
  Fill(kShard);
  const uint64_t before = TableBytes();
  ASSERT_GT(before, other_only + kBatches * kBatchBytes / 2) << "records reached table files";
  ASSERT_TRUE(store_->DropLog(kShard).ok());
  EXPECT_TRUE(WaitForTablesBelow(before - kBatches * kBatchBytes / 2)) << TableBytes() << " of " << before;
  auto rest = ::riffle::store::testing::ReadSync(*store_, kOther, 0, {.max_records = 1000, .max_bytes = 64 << 20});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->records.size(), static_cast<size_t>(kBatches));
}

TEST_F(SpaceReclaimTest, TrimmedRecordsLeaveTheTableFiles) {
  const uint64_t last = Fill(kShard);
  // More writes elsewhere push the shard's files out of level 0, as time does.
  Fill(kOther);
  const uint64_t before = TableBytes();
  // The horizon advances as the retention trimmer runs again and again; each
  // trim also catches files that had still been in level 0 (which only
  // compactions clean) at the previous one.
  // Record c arrived at 999 + c: trimming before 999 + h drops every counter below h.
  auto trim_below = [&](uint64_t h) { return store_->TrimBefore(kShard, 999 + static_cast<int64_t>(h)).ok(); };
  uint64_t horizon = last / 2;
  ASSERT_TRUE(trim_below(horizon));
  EXPECT_TRUE(WaitForTablesBelow(before - kBatches * kBatchBytes / 4, [&] {
    if (horizon < last) {
      ASSERT_TRUE(trim_below(++horizon));
    }
  })) << TableBytes() << " of " << before;
  while (horizon < last) ASSERT_TRUE(trim_below(++horizon));
  auto rest = ::riffle::store::testing::ReadSync(*store_, kShard, 0, {.max_records = 1000, .max_bytes = 64 << 20});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->records.size(), 1u);
  EXPECT_EQ(rest->records.front().counter, last);
}

}  // namespace
}  // namespace riffle::store
