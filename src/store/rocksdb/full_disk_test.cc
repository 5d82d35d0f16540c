// A full disk under the real store: writes fail while there is no room, keep
// failing at once (never waiting) while RocksDB recovers, and resume on the
// same open store once room is back. Backs docs/hostile-input.md ("Writes
// resume by themselves") and writer.h ("Recovery").
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "store/rocksdb/rocksdb_store.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace riffle::store {
namespace {

using ::riffle::store::testing::AppendOne;
using ::riffle::store::testing::MakeBatch;
using ::riffle::store::testing::ReadSync;
using ::riffle::store::testing::TempDir;

// A FileSystem whose files refuse to grow while it is "full" (EFBIG, as a
// file at RLIMIT_FSIZE answers: space_errors.h makes it a hard error that only
// DB::Resume() clears; RocksDB's own recovery thread takes ENOSPC, and would
// race the writer's), and that can hold back the creation of table files (what
// a flush or a compaction writes) until released.
class FullDiskFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFs(const std::shared_ptr<rocksdb::FileSystem>& target) : rocksdb::FileSystemWrapper(target) {}

  static const char* kClassName() { return "RiffleFullDiskFs"; }
  const char* Name() const override { return kClassName(); }

  void SetFull(bool full) {
    std::lock_guard lock(mu_);
    full_ = full;
  }
  void HoldTables(bool hold) {
    std::lock_guard lock(mu_);
    hold_tables_ = hold;
    cv_.notify_all();
  }
  int held() {
    std::lock_guard lock(mu_);
    return held_;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".sst") == 0) {
      std::unique_lock lock(mu_);
      ++held_;
      cv_.wait(lock, [this] { return !hold_tables_; });
      --held_;
    }
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, options, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), this);
    return s;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, FullDiskFs* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->full()) return rocksdb::IOStatus::IOError("While appending to file", "File too large");
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo&, rocksdb::IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }

   private:
    FullDiskFs* fs_;
  };

  bool full() {
    std::lock_guard lock(mu_);
    return full_;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool full_ = false;         // guarded by mu_
  bool hold_tables_ = false;  // guarded by mu_
  int held_ = 0;              // guarded by mu_: creations waiting
};

TEST(FullDiskTest, WritesFailAtOnceWhileTheStoreRecoversAndResumeWhenRoomIsBack) {
  TempDir dir;
  auto fs = std::make_shared<FullDiskFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  rocksdb_store::Tuning tuning;
  tuning.env = env.get();
  Options options;
  options.path = dir.path();
  auto opened = rocksdb_store::Open(options, tuning);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Store& store = **opened;
  const ShardKey shard{3, 0};
  ASSERT_TRUE(store.CreateLog(shard, {}).ok());
  ASSERT_TRUE(AppendOne(store, MakeBatch(shard, 2, 1000, 0)).error.ok());

  fs->SetFull(true);
  EXPECT_FALSE(AppendOne(store, MakeBatch(shard, 1, 1000, 100)).error.ok());
  EXPECT_FALSE(store.Ready().ok());

  // Room is back, but the recovery's flush cannot create its table file yet:
  // writes go on failing, each answered (AppendOne gives up on a lost answer)
  // while the recovery waits.
  fs->HoldTables(true);
  fs->SetFull(false);
  for (int i = 0; fs->held() == 0; ++i) {
    ASSERT_LT(i, 1000) << "the store never started to recover";
    EXPECT_FALSE(AppendOne(store, MakeBatch(shard, 1, 1000, 200 + i)).error.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(AppendOne(store, MakeBatch(shard, 1, 1000, 2000)).error.ok()) << "written during recovery";

  fs->HoldTables(false);
  AppendResult resumed;
  for (int i = 0;; ++i) {
    ASSERT_LT(i, 1000) << "writes did not resume: " << resumed.error.message();
    resumed = AppendOne(store, MakeBatch(shard, 1, 2000, 3000 + i));
    if (resumed.error.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(store.Ready().ok());
  EXPECT_TRUE(AppendOne(store, MakeBatch(shard, 1, 2000, 5000)).error.ok());

  // Exactly the acknowledged records: the two before, the resumed one, the last.
  auto read = ReadSync(store, shard, 0);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->records.size(), 4u);
  EXPECT_EQ(read->records[0].data, "data0");
  EXPECT_EQ(read->records[1].data, "data1");
  EXPECT_EQ(read->records[3].data, "data5000");
}

}  // namespace
}  // namespace riffle::store
