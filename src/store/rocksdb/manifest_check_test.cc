// The manifest mark through the real store: a MANIFEST cut back to an earlier
// synced size (an exact record boundary, which RocksDB cannot tell from a
// crash) is refused, while power cuts at any moment, including between a
// flush or compaction and the mark's update, never are. Backs
// docs/durability.md and docs/hostile-input.md.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <algorithm>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/listener.h>

#include "store/rocksdb/fault_injection_fs.h"
#include "store/rocksdb/manifest_mark.h"
#include "store/rocksdb/rocksdb_store.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace riffle::store {
namespace {

namespace fs = std::filesystem;
using rocksdb_store::ManifestMark;
using rocksdb_store::testing::FaultInjectionFs;

using ::riffle::store::testing::TempDir;

// Small memtables and WAL so that a few MiB of appends make RocksDB flush
// every column family (deleting old WALs) and compact.
rocksdb_store::Tuning SmallTuning() {
  rocksdb_store::Tuning t;
  t.memtable_budget_bytes = rocksdb_store::kMinMemtableBudgetBytes;
  t.small_write_buffer_bytes = 256 << 10;
  t.max_total_wal_bytes = 1 << 20;
  return t;
}

std::string Payload(uint32_t shard, uint64_t counter) {
  std::string s = "s" + std::to_string(shard) + "c" + std::to_string(counter) + "-";
  s.resize(8000 + counter % 1000, static_cast<char>('a' + counter % 26));
  return s;
}

std::optional<ManifestMark> ReadMark(const std::string& dir) {
  std::string bytes;
  if (!rocksdb::ReadFileToString(rocksdb::FileSystem::Default().get(),
                                 dir + "/" + rocksdb_store::kManifestMarkFile, &bytes)
           .ok()) {
    return std::nullopt;
  }
  return rocksdb_store::DecodeManifestMark(bytes);
}

std::string ManifestName(uint64_t number) {
  char name[32];
  snprintf(name, sizeof name, "MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return name;
}

std::vector<std::string> TableFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sst") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Appends `batches` batches of 4 records to one shard, waiting for each.
// Returns the number of records acknowledged.
// Records get counters 1, 2, 3, ... from the shard's log (created here if
// needed), so `*counter` tracks them.
uint64_t AppendSync(Store& store, ShardKey shard, uint64_t* counter, int batches) {
  if (!store.CreateLog(shard, {}).ok()) return 0;
  uint64_t acked = 0;
  for (int b = 0; b < batches; ++b) {
    AppendBatch batch;
    batch.shard = shard;
    batch.arrival_ms = 1000 + static_cast<int64_t>(*counter);
    for (int i = 0; i < 4; ++i, ++*counter) {
      batch.entries.push_back({"pk", Payload(shard.shard_index, *counter)});
    }
    if (::riffle::store::testing::AppendOne(store, std::move(batch)).error.ok()) acked += 4;
  }
  return acked;
}

uint64_t CountPresent(Store& store, ShardKey shard, uint64_t first, uint64_t end) {
  uint64_t present = 0;
  for (uint64_t c = first; c < end; ++c) {
    auto got = ::riffle::store::testing::ReadSync(store, shard, c, {.max_records = 1});
    if (got.ok() && got->records.size() == 1 && got->records[0].counter == c &&
        got->records[0].data == Payload(shard.shard_index, c)) {
      ++present;
    }
  }
  return present;
}

// Cutting the MANIFEST back to a size it had earlier in the same session
// (the mark right after open: an exact record boundary) is refused before
// RocksDB deletes anything; without the mark the same directory opens and
// has silently lost acknowledged records, which is what the check prevents.
TEST(ManifestCheckTest, ManifestCutBackToAnEarlierSyncedSizeIsRefused) {
  TempDir dir;
  Options options;
  options.path = dir.path();
  const ShardKey shard{3, 0};
  uint64_t counter = 1;
  std::optional<ManifestMark> at_open;
  {
    auto store = rocksdb_store::Open(options, SmallTuning());
    ASSERT_TRUE(store.ok()) << store.status().message();
    at_open = ReadMark(dir.path());
    ASSERT_TRUE(at_open);
    EXPECT_EQ(AppendSync(**store, shard, &counter, 400), 1600u);  // ~13 MiB
    (*store)->Close();
  }
  std::optional<ManifestMark> at_close = ReadMark(dir.path());
  ASSERT_TRUE(at_close);
  ASSERT_EQ(at_close->manifest_number, at_open->manifest_number);
  ASSERT_GT(at_close->synced_bytes, at_open->synced_bytes) << "no flush recorded";
  const std::string manifest = dir.path() + "/" + ManifestName(at_open->manifest_number);
  // Usually equal; a compaction that commits while RocksDB shuts down is not
  // reported to listeners, so the mark may lag it, never lead.
  ASSERT_GE(fs::file_size(manifest), at_close->synced_bytes);

  fs::resize_file(manifest, at_open->synced_bytes);
  const std::vector<std::string> tables = TableFiles(dir.path());
  auto refused = rocksdb_store::Open(options, SmallTuning());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(dir.path()), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("shorter than"), std::string::npos) << refused.status().message();
  EXPECT_EQ(TableFiles(dir.path()), tables) << "nothing deleted before the check";

  // What RocksDB alone makes of it: an open that loses records silently.
  fs::remove(dir.path() + "/" + rocksdb_store::kManifestMarkFile);
  auto opened = rocksdb_store::Open(options, SmallTuning());
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_LT(CountPresent(**opened, shard, 1, counter), counter - 1)
      << "RocksDB recovered every record from the cut MANIFEST: this test shows nothing";
  (*opened)->Close();
}

// Cuts the power at the `nth` completed flush (or compaction), from a
// listener that runs before the store's own, so the mark has not caught up
// with the MANIFEST yet; or, with nth == 0, at `acked_goal` acknowledged records.
class PowerCutAt final : public rocksdb::EventListener {
 public:
  enum class Event { kFlush, kCompaction };
  PowerCutAt(FaultInjectionFs* fs, Event event, int nth) : fs_(fs), event_(event), nth_(nth) {}
  void OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo&) override { Count(Event::kFlush); }
  void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo&) override {
    Count(Event::kCompaction);
  }
  bool cut() const { return cut_; }

 private:
  void Count(Event e) {
    if (e != event_ || nth_ == 0) return;
    if (++seen_ == nth_) {
      fs_->CutPower();
      cut_ = true;
    }
  }
  FaultInjectionFs* const fs_;
  const Event event_;
  const int nth_;
  std::atomic<int> seen_{0};
  std::atomic<bool> cut_{false};
};

struct CutOutcome {
  bool cut = false;
  bool mark_behind = false;  // after the cut the MANIFEST held more than the mark said
  uint64_t acked = 0;
  uint64_t lost = 0;
  std::string reopen_error;
};

// Two writers append (sync=always) until the cut; then close, power on,
// reopen (which must succeed) and check every acknowledged record.
// `incarnation`: of the shards written (a later round on the same directory
// writes new shards, as counters go on after the records already stored).
CutOutcome RunCut(const std::string& dir, PowerCutAt::Event event, int nth, uint64_t acked_goal,
                  uint64_t incarnation = 5) {
  auto fault_fs = std::make_shared<FaultInjectionFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fault_fs);
  auto cutter = std::make_shared<PowerCutAt>(fault_fs.get(), event, nth);
  rocksdb_store::Tuning tuning = SmallTuning();
  tuning.env = env.get();
  tuning.listeners.push_back(cutter);
  Options options;
  options.path = dir;
  options.sync = SyncPolicy::kAlways;

  CutOutcome out;
  constexpr uint32_t kShards = 2;
  std::vector<uint64_t> acked_below(kShards, 1);  // every counter below was acknowledged
  {
    auto opened = rocksdb_store::Open(options, tuning);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    if (!opened.ok()) return out;
    Store& store = **opened;
    std::atomic<uint64_t> acked{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (uint32_t t = 0; t < kShards; ++t) {
      writers.emplace_back([&, t] {
        uint64_t counter = 1;
        while (!stop && !cutter->cut()) {
          const uint64_t before = counter;
          if (AppendSync(store, ShardKey{incarnation, t}, &counter, 1) == 0) break;  // failed: the power is off
          acked_below[t] = counter;
          acked += counter - before;
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!cutter->cut() && std::chrono::steady_clock::now() < deadline &&
           (nth != 0 || acked < acked_goal)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (nth == 0) {
      fault_fs->CutPower();  // writes in flight
      out.cut = true;
    } else {
      out.cut = cutter->cut();
    }
    stop = true;
    for (std::thread& w : writers) w.join();
    store.Close();
  }
  fault_fs->Restore();
  if (std::optional<ManifestMark> mark = ReadMark(dir)) {
    const std::string manifest = dir + "/" + ManifestName(mark->manifest_number);
    std::error_code ec;
    const uint64_t size = fs::file_size(manifest, ec);
    out.mark_behind = !ec && size > mark->synced_bytes;
  }
  auto reopened = rocksdb_store::Open(options, tuning);
  if (!reopened.ok()) {
    out.reopen_error = reopened.status().message();
    return out;
  }
  for (uint32_t t = 0; t < kShards; ++t) {
    const uint64_t end = acked_below[t];
    out.acked += end - 1;
    out.lost += (end - 1) - CountPresent(**reopened, ShardKey{incarnation, t}, 1, end);
  }
  (*reopened)->Close();
  return out;
}

TEST(ManifestCheckTest, PowerCutRightAfterAFlushIsNeverRefused) {
  for (int nth : {1, 2, 5, 9}) {
    TempDir dir;
    CutOutcome o = RunCut(dir.path(), PowerCutAt::Event::kFlush, nth, 0);
    ASSERT_TRUE(o.cut) << "flush " << nth << " never came";
    EXPECT_TRUE(o.mark_behind) << "flush " << nth << ": the cut did not fall between flush and mark";
    EXPECT_EQ(o.reopen_error, "") << "flush " << nth;
    EXPECT_GT(o.acked, 0u);
    EXPECT_EQ(o.lost, 0u) << "flush " << nth << ": " << o.lost << " of " << o.acked << " lost";
  }
}

TEST(ManifestCheckTest, PowerCutRightAfterACompactionIsNeverRefused) {
  for (int nth : {1, 2}) {
    TempDir dir;
    CutOutcome o = RunCut(dir.path(), PowerCutAt::Event::kCompaction, nth, 0);
    ASSERT_TRUE(o.cut) << "compaction " << nth << " never came";
    EXPECT_TRUE(o.mark_behind) << "compaction " << nth << ": the cut did not fall between compaction and mark";
    EXPECT_EQ(o.reopen_error, "") << "compaction " << nth;
    EXPECT_EQ(o.lost, 0u) << "compaction " << nth << ": " << o.lost << " of " << o.acked << " lost";
  }
}

// Cuts at arbitrary moments while flushes and compactions run, then again on
// the reopened store (whose MANIFEST and mark are new), several times over.
TEST(ManifestCheckTest, RepeatedPowerCutsWhileFlushingAreNeverRefused) {
  TempDir dir;
  for (int round = 0; round < 4; ++round) {
    CutOutcome o = RunCut(dir.path(), PowerCutAt::Event::kFlush, 0, 300 + 250 * round, 5 + round);
    EXPECT_EQ(o.reopen_error, "") << "round " << round;
    EXPECT_EQ(o.lost, 0u) << "round " << round << ": " << o.lost << " of " << o.acked << " lost";
  }
}

}  // namespace
}  // namespace riffle::store
