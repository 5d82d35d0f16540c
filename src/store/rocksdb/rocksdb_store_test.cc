#include "store/rocksdb/rocksdb_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <rocksdb/db.h>

#include "store/rocksdb/keys.h"
#include "store/store.h"

namespace riffle::store {
namespace {

constexpr ShardKey kShard{5, 0};
constexpr ShardKey kNeighbour{5, 1};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "riffle-store-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status SubmitAndWait(Store& store, Mutation m) {
  std::promise<Status> p;
  store.Submit(std::move(m), [&p](Status s) { p.set_value(std::move(s)); });
  return p.get_future().get();
}

AppendBatch Batch(ShardKey shard, uint64_t first, int n, int64_t arrival) {
  AppendBatch b;
  b.shard = shard;
  b.first_counter = first;
  b.arrival_ms = arrival;
  for (int i = 0; i < n; ++i) {
    uint64_t c = first + static_cast<uint64_t>(i);
    b.entries.push_back({"pk" + std::to_string(c), "data" + std::to_string(c)});
  }
  return b;
}

Status Append(Store& store, AppendBatch b) {
  Mutation m;
  m.appends.push_back(std::move(b));
  return SubmitAndWait(store, std::move(m));
}

std::vector<uint64_t> Counters(const RecordsRead& records) {
  std::vector<uint64_t> out;
  for (const Record& r : records) out.push_back(r.counter);
  return out;
}

std::vector<uint64_t> Read(Store& store, ShardKey shard, uint64_t from, uint64_t to,
                           ReadLimits limits = {}) {
  auto r = store.ReadRecords(shard, from, to, limits);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? Counters(*r) : std::vector<uint64_t>{};
}

// Runs each functional test over a directory store and an in-memory store.
class StoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    Options o;
    o.in_memory = GetParam();
    o.path = dir_.path();
    auto s = OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    if (store_) store_->Close();
  }

  // Shard kShard: [1..3]@1000, [4]@2000, [10..14]@2000, [15..16]@3000.
  void AppendStandard() {
    ASSERT_TRUE(Append(*store_, Batch(kShard, 1, 3, 1000)).ok());
    ASSERT_TRUE(Append(*store_, Batch(kShard, 4, 1, 2000)).ok());
    ASSERT_TRUE(Append(*store_, Batch(kShard, 10, 5, 2000)).ok());
    ASSERT_TRUE(Append(*store_, Batch(kShard, 15, 2, 3000)).ok());
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(DirAndMemory, StoreTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InMemory" : "Directory"; });

TEST_P(StoreTest, ReadsAcrossBatchBoundaries) {
  AppendStandard();
  ASSERT_TRUE(Append(*store_, Batch(kNeighbour, 1, 2, 500)).ok());
  EXPECT_EQ(Read(*store_, kShard, 0, UINT64_MAX),
            (std::vector<uint64_t>{1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16}));
  EXPECT_EQ(Read(*store_, kShard, 2, 11), (std::vector<uint64_t>{2, 3, 4, 10, 11}));
  EXPECT_EQ(Read(*store_, kShard, 12, 12), (std::vector<uint64_t>{12}));
  EXPECT_EQ(Read(*store_, kShard, 5, 9), (std::vector<uint64_t>{}));
  EXPECT_EQ(Read(*store_, kShard, 5, 10), (std::vector<uint64_t>{10}));
  EXPECT_EQ(Read(*store_, kShard, 17, UINT64_MAX), (std::vector<uint64_t>{}));
  EXPECT_EQ(Read(*store_, kShard, 9, 3), (std::vector<uint64_t>{}));
  EXPECT_EQ(Read(*store_, kNeighbour, 0, UINT64_MAX), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Read(*store_, {5, 2}, 0, UINT64_MAX), (std::vector<uint64_t>{}));
  EXPECT_EQ(Read(*store_, {4, 0}, 0, UINT64_MAX), (std::vector<uint64_t>{}));

  auto records = store_->ReadRecords(kShard, 3, 10, {});
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].partition_key, "pk3");
  EXPECT_EQ((*records)[0].data, "data3");
  EXPECT_EQ((*records)[0].arrival_ms, 1000);
  EXPECT_EQ((*records)[1].arrival_ms, 2000);
  EXPECT_EQ((*records)[2].data, "data10");
}

TEST_P(StoreTest, ReadLimits) {
  AppendStandard();
  EXPECT_EQ(Read(*store_, kShard, 2, 100, {.max_records = 3}), (std::vector<uint64_t>{2, 3, 4}));
  // Record i has partition key "pk<i>" and data "data<i>": 3 + 5 bytes for 1..9.
  EXPECT_EQ(Read(*store_, kShard, 1, 100, {.max_bytes = 16}), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Read(*store_, kShard, 1, 100, {.max_bytes = 17}), (std::vector<uint64_t>{1, 2}));
  // At least one record, whatever the limits.
  EXPECT_EQ(Read(*store_, kShard, 11, 100, {.max_bytes = 1}), (std::vector<uint64_t>{11}));
  EXPECT_EQ(Read(*store_, kShard, 11, 100, {.max_records = 0}), (std::vector<uint64_t>{11}));
}

TEST_P(StoreTest, DrainsLargeShard) {
  const std::string payload(1000, 'z');
  for (int b = 0; b < 40; ++b) {
    AppendBatch batch;
    batch.shard = kShard;
    batch.first_counter = static_cast<uint64_t>(b) * 100;
    batch.arrival_ms = b;
    for (int i = 0; i < 100; ++i) batch.entries.push_back({"k", payload});
    ASSERT_TRUE(Append(*store_, std::move(batch)).ok());
  }
  auto all = store_->ReadRecords(kShard, 0, UINT64_MAX, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4000u);
  for (size_t i = 0; i < all->size(); ++i) ASSERT_EQ((*all)[i].counter, i);
  EXPECT_EQ((*all)[3999].data, payload);
  // 1001 bytes per record: 50 KiB holds 51 of them.
  auto some = store_->ReadRecords(kShard, 150, UINT64_MAX, {.max_bytes = 50 * 1024});
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->size(), 51u);
  EXPECT_EQ(some->front().counter, 150u);
}

// Enough data for several memtable flushes (and a compaction) with a small
// memtable budget: every record reads back from the table files, in memory
// (WholeFileFs) as on disk.
TEST_P(StoreTest, ReadsBackRecordsFromFlushedTables) {
  rocksdb_store::Tuning tuning;
  tuning.memtable_budget_bytes = rocksdb_store::kMinMemtableBudgetBytes;
  Options o;
  o.in_memory = GetParam();
  o.path = dir_.path() + "/small";
  auto opened = rocksdb_store::Open(o, tuning);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  std::unique_ptr<Store> store = std::move(opened).value();
  constexpr int kBatches = 48, kPerBatch = 250;
  auto payload = [](uint64_t c) { return std::string(1000, static_cast<char>('a' + c % 26)) + std::to_string(c); };
  for (int b = 0; b < kBatches; ++b) {
    AppendBatch batch;
    batch.shard = kShard;
    batch.first_counter = static_cast<uint64_t>(b) * kPerBatch;
    batch.arrival_ms = b;
    for (int i = 0; i < kPerBatch; ++i) batch.entries.push_back({"k", payload(batch.first_counter + i)});
    ASSERT_TRUE(Append(*store, std::move(batch)).ok());
  }
  uint64_t next = 0;
  while (next < uint64_t{kBatches} * kPerBatch) {
    auto page = store->ReadRecords(kShard, next, UINT64_MAX, {});
    ASSERT_TRUE(page.ok()) << page.status().message();
    ASSERT_FALSE(page->empty());
    for (const Record& r : *page) {
      ASSERT_EQ(r.counter, next);
      ASSERT_EQ(r.data, payload(next));
      ++next;
    }
  }
  store->Close();
}

TEST_P(StoreTest, PositionQueries) {
  EXPECT_EQ(*store_->LastCounter(kShard), std::nullopt);
  EXPECT_EQ(*store_->FirstCounter(kShard), std::nullopt);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 0), std::nullopt);
  EXPECT_EQ(*store_->FirstArrival(kShard), std::nullopt);
  AppendStandard();
  ASSERT_TRUE(Append(*store_, Batch(kNeighbour, 100, 2, 100)).ok());
  EXPECT_EQ(*store_->LastCounter(kShard), 16u);
  EXPECT_EQ(*store_->FirstCounter(kShard), 1u);
  EXPECT_EQ(*store_->FirstArrival(kShard), 1000);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, INT64_MIN), 1u);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 1000), 1u);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 1001), 4u);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 2000), 4u);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 2001), 15u);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 3001), std::nullopt);
  EXPECT_EQ(*store_->LastCounter(kNeighbour), 101u);
  EXPECT_EQ(*store_->FirstArrival(kNeighbour), 100);
}

TEST_P(StoreTest, TrimDeletesWholeBatchesBelowTheBound) {
  AppendStandard();
  ASSERT_TRUE(Append(*store_, Batch(kNeighbour, 1, 2, 100)).ok());
  ASSERT_TRUE(store_->Trim({kShard, 0}).ok());
  ASSERT_TRUE(store_->Trim({kShard, 3}).ok());  // [1..3] straddles: kept
  EXPECT_EQ(*store_->FirstCounter(kShard), 1u);
  ASSERT_TRUE(store_->Trim({kShard, 4}).ok());
  EXPECT_EQ(*store_->FirstCounter(kShard), 4u);
  EXPECT_EQ(*store_->FirstArrival(kShard), 2000);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 0), 4u);
  ASSERT_TRUE(store_->Trim({kShard, 12}).ok());  // drops [4], keeps [10..14]
  ASSERT_TRUE(store_->Trim({kShard, 12}).ok());  // idempotent
  EXPECT_EQ(*store_->FirstCounter(kShard), 10u);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 0), 10u);
  EXPECT_EQ(*store_->FirstArrival(kShard), 2000);
  EXPECT_EQ(Read(*store_, kShard, 0, UINT64_MAX),
            (std::vector<uint64_t>{10, 11, 12, 13, 14, 15, 16}));
  ASSERT_TRUE(store_->Trim({kShard, 1000}).ok());
  EXPECT_EQ(*store_->FirstCounter(kShard), std::nullopt);
  EXPECT_EQ(*store_->LastCounter(kShard), std::nullopt);
  EXPECT_EQ(*store_->FirstArrival(kShard), std::nullopt);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 0), std::nullopt);
  EXPECT_EQ(Read(*store_, kNeighbour, 0, UINT64_MAX), (std::vector<uint64_t>{1, 2}));
  // Appending after a full trim works.
  ASSERT_TRUE(Append(*store_, Batch(kShard, 2000, 1, 4000)).ok());
  EXPECT_EQ(*store_->FirstCounter(kShard), 2000u);
  EXPECT_EQ(*store_->FirstArrival(kShard), 4000);
}

TEST_P(StoreTest, DropShards) {
  AppendStandard();
  ASSERT_TRUE(Append(*store_, Batch(kNeighbour, 1, 2, 100)).ok());
  Mutation drop;
  drop.drop_shards.push_back(kShard);
  ASSERT_TRUE(SubmitAndWait(*store_, std::move(drop)).ok());
  EXPECT_EQ(Read(*store_, kShard, 0, UINT64_MAX), (std::vector<uint64_t>{}));
  EXPECT_EQ(*store_->LastCounter(kShard), std::nullopt);
  EXPECT_EQ(*store_->FirstArrival(kShard), std::nullopt);
  EXPECT_EQ(*store_->FirstCounterAtOrAfter(kShard, 0), std::nullopt);
  EXPECT_EQ(Read(*store_, kNeighbour, 0, UINT64_MAX), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(*store_->FirstArrival(kNeighbour), 100);
}

TEST_P(StoreTest, MetaPutDeleteScan) {
  Mutation m;
  m.meta_puts = {{"stream/a", "1"}, {"stream/b", "2"}, {"streamz", "3"}, {"key/x", "4"},
                 {std::string("\xFF\xFF", 2), "5"}};
  ASSERT_TRUE(SubmitAndWait(*store_, std::move(m)).ok());
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*store_->ScanMeta("stream/"), (Pairs{{"stream/a", "1"}, {"stream/b", "2"}}));
  EXPECT_EQ(store_->ScanMeta("")->size(), 5u);
  EXPECT_EQ(*store_->ScanMeta(std::string("\xFF", 1)), (Pairs{{std::string("\xFF\xFF", 2), "5"}}));
  EXPECT_EQ(*store_->ScanMeta("nothing"), Pairs{});

  Mutation m2;
  m2.meta_deletes = {"stream/a", "missing"};
  m2.meta_puts = {{"stream/b", "22"}};
  ASSERT_TRUE(SubmitAndWait(*store_, std::move(m2)).ok());
  EXPECT_EQ(*store_->ScanMeta("stream/"), (Pairs{{"stream/b", "22"}}));
}

TEST_P(StoreTest, ConcurrentSubmitsAllApplyInOrder) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  std::atomic<int> done_count{0};
  std::atomic<int> failures{0};
  std::mutex order_mu;
  std::vector<std::vector<int>> done_order(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Mutation m;
        m.appends.push_back(Batch({77, static_cast<uint32_t>(t)}, static_cast<uint64_t>(i), 1, i));
        m.meta_puts.push_back({"t" + std::to_string(t), std::to_string(i)});
        store_->Submit(std::move(m), [&, t, i](Status s) {
          if (!s.ok()) ++failures;
          {
            std::lock_guard<std::mutex> lock(order_mu);
            done_order[static_cast<size_t>(t)].push_back(i);
          }
          ++done_count;
        });
      }
    });
  }
  for (std::thread& th : threads) th.join();
  // Wait for the last mutation of every thread via a final barrier mutation.
  ASSERT_TRUE(SubmitAndWait(*store_, Mutation{}).ok());
  EXPECT_EQ(done_count.load(), kThreads * kPerThread);
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    std::vector<int> expected(kPerThread);
    for (int i = 0; i < kPerThread; ++i) expected[static_cast<size_t>(i)] = i;
    EXPECT_EQ(done_order[static_cast<size_t>(t)], expected);
    auto records = store_->ReadRecords({77, static_cast<uint32_t>(t)}, 0, UINT64_MAX, {});
    ASSERT_TRUE(records.ok());
    EXPECT_EQ(records->size(), static_cast<size_t>(kPerThread));
    // The last put of each key wins: mutations applied in submission order.
    auto meta = store_->ScanMeta("t" + std::to_string(t));
    ASSERT_TRUE(meta.ok());
    ASSERT_EQ(meta->size(), 1u);
    EXPECT_EQ((*meta)[0].second, std::to_string(kPerThread - 1));
  }
}

TEST_P(StoreTest, BadMutationFailsAloneInItsGroup) {
  std::vector<std::promise<Status>> results(3);
  Mutation good1;
  good1.meta_puts.push_back({"a", "1"});
  Mutation bad;
  bad.appends.push_back(AppendBatch{});  // no records
  bad.meta_puts.push_back({"b", "1"});
  Mutation good2;
  good2.meta_puts.push_back({"c", "1"});
  store_->Submit(std::move(good1), [&](Status s) { results[0].set_value(s); });
  store_->Submit(std::move(bad), [&](Status s) { results[1].set_value(s); });
  store_->Submit(std::move(good2), [&](Status s) { results[2].set_value(s); });
  EXPECT_TRUE(results[0].get_future().get().ok());
  EXPECT_EQ(results[1].get_future().get().code(), Errc::kInvalidArgument);
  EXPECT_TRUE(results[2].get_future().get().ok());
  EXPECT_EQ(store_->ScanMeta("")->size(), 2u);
}

TEST_P(StoreTest, CloseIsIdempotentAndRejectsLaterWork) {
  AppendStandard();
  store_->Close();
  store_->Close();
  bool called = false;
  Status result;
  store_->Submit(Mutation{}, [&](Status s) {
    called = true;
    result = s;
  });
  EXPECT_TRUE(called);  // at once, on this thread
  EXPECT_EQ(result.code(), Errc::kStorageError);
  EXPECT_EQ(store_->ReadRecords(kShard, 0, 10, {}).status().code(), Errc::kStorageError);
  EXPECT_EQ(store_->LastCounter(kShard).status().code(), Errc::kStorageError);
  EXPECT_EQ(store_->Trim({kShard, 5}).code(), Errc::kStorageError);
}

TEST_P(StoreTest, CloseCompletesQueuedMutations) {
  std::atomic<int> ok{0};
  for (int i = 0; i < 200; ++i) {
    Mutation m;
    m.appends.push_back(Batch(kShard, static_cast<uint64_t>(i), 1, 0));
    store_->Submit(std::move(m), [&](Status s) {
      if (s.ok()) ++ok;
    });
  }
  store_->Close();
  EXPECT_EQ(ok.load(), 200);
}

class ReopenTest : public ::testing::TestWithParam<SyncPolicy> {};

INSTANTIATE_TEST_SUITE_P(SyncPolicies, ReopenTest,
                         ::testing::Values(SyncPolicy::kAlways, SyncPolicy::kInterval, SyncPolicy::kNever),
                         [](const auto& info) {
                           return info.param == SyncPolicy::kAlways     ? "Always"
                                  : info.param == SyncPolicy::kInterval ? "Interval"
                                                                        : "Never";
                         });

TEST_P(ReopenTest, SeesEverythingAcknowledged) {
  TempDir dir;
  Options o;
  o.path = dir.path() + "/nested/data";
  o.sync = GetParam();
  o.sync_interval_ms = 10;
  {
    auto s = OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    Mutation m;
    m.appends.push_back(Batch(kShard, 1, 3, 1000));
    m.appends.push_back(Batch(kNeighbour, 7, 1, 1500));
    m.meta_puts.push_back({"stream/x", "meta"});
    ASSERT_TRUE(SubmitAndWait(**s, std::move(m)).ok());
    ASSERT_TRUE(Append(**s, Batch(kShard, 4, 2, 2000)).ok());
    ASSERT_TRUE((*s)->Trim({kShard, 4}).ok());
    // Destructor closes.
  }
  auto s = OpenRocksDbStore(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Read(**s, kShard, 0, UINT64_MAX), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(Read(**s, kNeighbour, 0, UINT64_MAX), (std::vector<uint64_t>{7}));
  EXPECT_EQ(*(*s)->FirstArrival(kShard), 2000);
  EXPECT_EQ((*s)->ScanMeta("stream/")->size(), 1u);
}

TEST(RocksDbStoreTest, SecondOpenOfLockedDirectoryFails) {
  TempDir dir;
  Options o;
  o.path = dir.path();
  auto first = OpenRocksDbStore(o);
  ASSERT_TRUE(first.ok());
  auto second = OpenRocksDbStore(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Errc::kStorageError);
  EXPECT_NE(second.status().message().find("lock"), std::string::npos)
      << second.status().message();
}

TEST(RocksDbStoreTest, InMemoryStoresAreIndependentAndLeaveNoFiles) {
  Options o;
  o.in_memory = true;
  o.path = "";
  auto a = OpenRocksDbStore(o);
  auto b = OpenRocksDbStore(o);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_TRUE(Append(**a, Batch(kShard, 1, 1, 0)).ok());
  EXPECT_EQ(Read(**b, kShard, 0, UINT64_MAX), (std::vector<uint64_t>{}));
  EXPECT_EQ(Read(**a, kShard, 0, UINT64_MAX), (std::vector<uint64_t>{1}));
  EXPECT_FALSE(std::filesystem::exists("/riffle-in-memory"));
}

// Flips one byte of a stored batch behind the store's back; the store must
// report it, never return the bytes.
TEST(RocksDbStoreTest, CorruptBatchIsReportedNotReturned) {
  TempDir dir;
  Options o;
  o.path = dir.path();
  {
    auto s = OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(Append(**s, Batch(kShard, 1, 3, 1000)).ok());
  }
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, {}},
        {rocksdb_store::kMetaColumnFamily, {}},
        {rocksdb_store::kRecordsColumnFamily, {}},
        {rocksdb_store::kTimeIndexColumnFamily, {}}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string key = rocksdb_store::RecordKey(kShard, 1);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handles[2], key, &value).ok());
    value[12] = static_cast<char>(value[12] ^ 0x20);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[2], key, value).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto s = OpenRocksDbStore(o);
  ASSERT_TRUE(s.ok());
  auto read = (*s)->ReadRecords(kShard, 0, UINT64_MAX, {});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Errc::kStorageError);
  EXPECT_NE(read.status().message().find("checksum"), std::string::npos) << read.status().message();
  EXPECT_EQ((*s)->LastCounter(kShard).status().code(), Errc::kStorageError);
}

}  // namespace
}  // namespace riffle::store
