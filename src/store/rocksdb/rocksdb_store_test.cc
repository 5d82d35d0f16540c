// The RocksDB store's own behaviour: counters, batches and reads on disk and
// in memory, trimming, sealing and dropping logs, metadata compare-and-set,
// concurrency, close, reopen (everything acknowledged survives), stores from
// before log records, and damage. The Store contract itself is checked by the
// conformance suite (store/conformance/).
#include "store/rocksdb/rocksdb_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include <rocksdb/db.h>

#include "store/rocksdb/keys.h"
#include "store/rocksdb/log_table.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace riffle::store {
namespace {

using testing::AppendOne;
using testing::BoundsSync;
using testing::CountersFrom;
using testing::FindByArrivalSync;
using testing::MakeBatch;
using testing::ReadSync;
using ::riffle::store::testing::TempDir;
using testing::WriteMetaSync;

constexpr ShardKey kShard{5, 0};
constexpr ShardKey kNeighbour{5, 1};

std::vector<uint64_t> Counters(const StatusOr<LogRead>& read) {
  std::vector<uint64_t> out;
  EXPECT_TRUE(read.ok()) << read.status().message();
  if (read.ok()) {
    for (const Record& r : read->records) out.push_back(r.counter);
  }
  return out;
}

std::vector<uint64_t> Range(uint64_t first, uint64_t end) {
  std::vector<uint64_t> out;
  for (uint64_t c = first; c < end; ++c) out.push_back(c);
  return out;
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
    ASSERT_TRUE(store_->CreateLog(kShard, {}).ok());
    ASSERT_TRUE(store_->CreateLog(kNeighbour, {.first_counter = 100}).ok());
  }
  void TearDown() override {
    if (store_) store_->Close();
  }

  // kShard: [1..3]@1000, [4]@2000, [5..9]@2000, [10..11]@3000.
  void AppendStandard() {
    ASSERT_TRUE(AppendOne(*store_, MakeBatch(kShard, 3, 1000)).error.ok());
    ASSERT_TRUE(AppendOne(*store_, MakeBatch(kShard, 1, 2000, 3)).error.ok());
    ASSERT_TRUE(AppendOne(*store_, MakeBatch(kShard, 5, 2000, 4)).error.ok());
    ASSERT_TRUE(AppendOne(*store_, MakeBatch(kShard, 2, 3000, 9)).error.ok());
  }

  TempDir dir_{"riffle-store"};
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(DirAndMemory, StoreTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InMemory" : "Directory"; });

TEST_P(StoreTest, CountsFromTheFirstCounterAndReadsAcrossBatches) {
  AppendResult first = AppendOne(*store_, MakeBatch(kShard, 3, 1000));
  ASSERT_TRUE(first.error.ok());
  EXPECT_EQ(first.counters, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(first.arrival_ms, 1000);
  AppendResult neighbour = AppendOne(*store_, MakeBatch(kNeighbour, 2, 500));
  EXPECT_EQ(neighbour.counters, (std::vector<uint64_t>{100, 101}));
  // Arrival times never go backwards in a log.
  AppendResult earlier = AppendOne(*store_, MakeBatch(kShard, 1, 900, 3));
  EXPECT_EQ(earlier.counters, (std::vector<uint64_t>{4}));
  EXPECT_EQ(earlier.arrival_ms, 1000);
  EXPECT_EQ(CountersFrom(*store_, kShard), Range(1, 5));
  EXPECT_EQ(Counters(ReadSync(*store_, kShard, 2)), Range(2, 5));
  auto tail = ReadSync(*store_, kShard, 5);
  ASSERT_TRUE(tail.ok());
  EXPECT_TRUE(tail->records.empty());
  EXPECT_TRUE(tail->at_end);
  EXPECT_EQ(tail->next, 5u);
  auto record = ReadSync(*store_, kShard, 3);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->records[0].partition_key, "pk2");
  EXPECT_EQ(record->records[0].data, "data2");
  EXPECT_EQ(record->records[0].arrival_ms, 1000);
  EXPECT_EQ(ReadSync(*store_, {4, 0}, 0).status().code(), Errc::kResourceNotFound);
}

TEST_P(StoreTest, ReadLimitsSetNextAndAtEnd) {
  AppendStandard();
  auto three = ReadSync(*store_, kShard, 2, {.max_records = 3});
  EXPECT_EQ(Counters(three), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_FALSE(three->at_end);
  EXPECT_EQ(three->next, 5u);
  // Record i has partition key "pk<i-1>" and data "data<i-1>": 3 + 5 bytes.
  EXPECT_EQ(Counters(ReadSync(*store_, kShard, 1, {.max_bytes = 16})), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Counters(ReadSync(*store_, kShard, 1, {.max_bytes = 17})), (std::vector<uint64_t>{1, 2}));
  // At least one record, whatever the limits.
  EXPECT_EQ(Counters(ReadSync(*store_, kShard, 11, {.max_bytes = 1})), (std::vector<uint64_t>{11}));
  auto last = ReadSync(*store_, kShard, 10, {.max_records = 0});
  EXPECT_EQ(Counters(last), (std::vector<uint64_t>{10}));
  EXPECT_FALSE(last->at_end);
  auto rest = ReadSync(*store_, kShard, 10);
  EXPECT_EQ(Counters(rest), (std::vector<uint64_t>{10, 11}));
  EXPECT_TRUE(rest->at_end);
  EXPECT_EQ(rest->next, 12u);
}

TEST_P(StoreTest, DrainsLargeShard) {
  const std::string payload(1000, 'z');
  for (int b = 0; b < 40; ++b) {
    AppendBatch batch;
    batch.shard = kShard;
    batch.arrival_ms = b;
    for (int i = 0; i < 100; ++i) batch.entries.push_back({"k", payload});
    ASSERT_TRUE(AppendOne(*store_, std::move(batch)).error.ok());
  }
  auto all = ReadSync(*store_, kShard, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->records.size(), 4000u);
  for (size_t i = 0; i < all->records.size(); ++i) ASSERT_EQ(all->records[i].counter, i + 1);
  EXPECT_EQ(all->records[3999].data, payload);
  // 1001 bytes per record: 50 KiB holds 51 of them.
  auto some = ReadSync(*store_, kShard, 150, {.max_bytes = 50 * 1024});
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->records.size(), 51u);
  EXPECT_EQ(some->records.front().counter, 150u);
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
  ASSERT_TRUE(store->CreateLog(kShard, {}).ok());
  constexpr int kBatches = 48, kPerBatch = 250;
  auto payload = [](uint64_t c) { return std::string(1000, static_cast<char>('a' + c % 26)) + std::to_string(c); };
  uint64_t counter = 1;
  for (int b = 0; b < kBatches; ++b) {
    AppendBatch batch;
    batch.shard = kShard;
    batch.arrival_ms = b;
    for (int i = 0; i < kPerBatch; ++i) batch.entries.push_back({"k", payload(counter + i)});
    counter += kPerBatch;
    ASSERT_TRUE(AppendOne(*store, std::move(batch)).error.ok());
  }
  uint64_t next = 1;
  while (next < counter) {
    auto page = ReadSync(*store, kShard, next);
    ASSERT_TRUE(page.ok()) << page.status().message();
    ASSERT_FALSE(page->records.empty());
    for (const Record& r : page->records) {
      ASSERT_EQ(r.counter, next);
      ASSERT_EQ(r.data, payload(next));
      ++next;
    }
  }
  store->Close();
}

TEST_P(StoreTest, BoundsAndArrivalLookups) {
  auto empty = BoundsSync(*store_, kNeighbour);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->first, 100u);
  EXPECT_EQ(empty->end, 100u);
  EXPECT_FALSE(empty->sealed);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, 0), 1u);  // the end of an empty log
  AppendStandard();
  auto bounds = BoundsSync(*store_, kShard);
  EXPECT_EQ(bounds->first, 1u);
  EXPECT_EQ(bounds->end, 12u);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, INT64_MIN), 1u);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, 1000), 1u);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, 1001), 4u);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, 2000), 4u);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, 2001), 10u);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, 3001), 12u);
}

TEST_P(StoreTest, TrimDeletesWholeBatchesBelowTheCutoff) {
  AppendStandard();
  ASSERT_TRUE(AppendOne(*store_, MakeBatch(kNeighbour, 2, 100)).error.ok());
  EXPECT_EQ(*store_->TrimBefore(kShard, 0), 1u);  // nothing arrived before 0: the first counter stays
  EXPECT_EQ(*store_->TrimBefore(kShard, 1500), 4u);  // [1..3] arrived at 1000
  EXPECT_EQ(BoundsSync(*store_, kShard)->first, 4u);
  EXPECT_EQ(*FindByArrivalSync(*store_, kShard, 0), 4u);
  EXPECT_EQ(*store_->TrimBefore(kShard, 1500), 4u);  // idempotent
  EXPECT_EQ(CountersFrom(*store_, kShard, 0), Range(4, 12));
  // A reader positioned below the horizon resumes at it.
  EXPECT_EQ(Counters(ReadSync(*store_, kShard, 2, {.max_records = 1})), (std::vector<uint64_t>{4}));
  EXPECT_EQ(*store_->TrimBefore(kShard, 10000), 12u);
  auto bounds = BoundsSync(*store_, kShard);
  EXPECT_EQ(bounds->first, 12u);
  EXPECT_EQ(bounds->end, 12u);
  EXPECT_TRUE(CountersFrom(*store_, kShard).empty());
  EXPECT_EQ(CountersFrom(*store_, kNeighbour), (std::vector<uint64_t>{100, 101}));
  // Appending after a full trim goes on counting.
  EXPECT_EQ(AppendOne(*store_, MakeBatch(kShard, 1, 4000)).counters, (std::vector<uint64_t>{12}));
}

TEST_P(StoreTest, SealedLogsRefuseAppendsAndKeepTheirRecords) {
  AppendStandard();
  EXPECT_EQ(*store_->SealLog(kShard), 12u);
  EXPECT_EQ(*store_->SealLog(kShard), 12u);  // idempotent
  AppendResult refused = AppendOne(*store_, MakeBatch(kShard, 2, 5000));
  EXPECT_EQ(refused.error.code(), Errc::kSealed);
  EXPECT_EQ(refused.counters, (std::vector<uint64_t>{0, 0}));
  ASSERT_EQ(refused.returned.size(), 2u);  // handed back for routing elsewhere
  EXPECT_EQ(refused.returned[1].data, "data1");
  EXPECT_EQ(CountersFrom(*store_, kShard), Range(1, 12));
  EXPECT_TRUE(BoundsSync(*store_, kShard)->sealed);
  EXPECT_EQ(*store_->SealLog(kNeighbour), 100u);  // an empty log ends where it starts
}

TEST_P(StoreTest, DroppedLogsAreGone) {
  AppendStandard();
  ASSERT_TRUE(AppendOne(*store_, MakeBatch(kNeighbour, 2, 100)).error.ok());
  ASSERT_TRUE(store_->DropLog(kShard).ok());
  ASSERT_TRUE(store_->DropLog(kShard).ok());  // idempotent
  EXPECT_EQ(ReadSync(*store_, kShard, 0).status().code(), Errc::kResourceNotFound);
  AppendResult refused = AppendOne(*store_, MakeBatch(kShard, 1, 100));
  EXPECT_EQ(refused.error.code(), Errc::kResourceNotFound);
  EXPECT_EQ(CountersFrom(*store_, kNeighbour), (std::vector<uint64_t>{100, 101}));
  auto logs = store_->ListLogs();
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].shard, kNeighbour);
}

TEST_P(StoreTest, MetaCompareAndSetScanAndObserver) {
  std::vector<MetaChange> seen;
  std::mutex seen_mu;
  store_->SetMetaObserver([&](const MetaChange& c) {
    std::lock_guard lock(seen_mu);
    seen.push_back(c);
  });
  auto a = WriteMetaSync(*store_, {"stream/a", "1", kMustNotExist});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(WriteMetaSync(*store_, {"stream/a", "x", kMustNotExist}).status().code(), Errc::kConflict);
  auto a2 = WriteMetaSync(*store_, {"stream/a", "2", *a});
  ASSERT_TRUE(a2.ok());
  EXPECT_GT(*a2, *a);
  EXPECT_EQ(WriteMetaSync(*store_, {"stream/a", "3", *a}).status().code(), Errc::kConflict);
  for (const char* key : {"stream/b", "streamz", "key/x"}) ASSERT_TRUE(WriteMetaSync(*store_, {key, "v"}).ok());
  auto scanned = store_->ScanMeta("stream/");
  ASSERT_TRUE(scanned.ok());
  ASSERT_EQ(scanned->size(), 2u);
  EXPECT_EQ((*scanned)[0].key, "stream/a");
  EXPECT_EQ((*scanned)[0].value, "2");
  EXPECT_EQ((*scanned)[0].revision, *a2);
  EXPECT_EQ((*scanned)[1].key, "stream/b");
  EXPECT_EQ(store_->ScanMeta("")->size(), 4u);
  EXPECT_EQ(WriteMetaSync(*store_, {"stream/a", std::nullopt, *a}).status().code(), Errc::kConflict);
  ASSERT_TRUE(WriteMetaSync(*store_, {"stream/a", std::nullopt, *a2}).ok());
  EXPECT_FALSE(store_->GetMeta("stream/a")->has_value());
  EXPECT_TRUE(WriteMetaSync(*store_, {"missing", std::nullopt}).ok());  // deleting nothing, unconditionally
  // Ephemeral keys are their own namespace and never reach the disk.
  auto lease = WriteMetaSync(*store_, {"stream/b", "lease", kMustNotExist, true});
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ((*store_->GetMeta("stream/b", true))->value, "lease");
  EXPECT_EQ((*store_->GetMeta("stream/b"))->value, "v");
  // Each write was reported before it was answered, in write order.
  std::lock_guard lock(seen_mu);
  ASSERT_EQ(seen.size(), 8u);  // every write that succeeded
  EXPECT_EQ(seen[0].key, "stream/a");
  EXPECT_EQ(seen[0].revision, *a);
  EXPECT_FALSE(seen[5].value.has_value());  // the delete
  EXPECT_EQ(seen[6].key, "missing");
  EXPECT_TRUE(seen[7].ephemeral);
}

TEST_P(StoreTest, ConcurrentAppendsGetDistinctIncreasingCounters) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<uint64_t> acknowledged;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<AppendBatch> batches;
        batches.push_back(MakeBatch(kShard, 2, i, t * 1000 + i));
        batches.push_back(MakeBatch(kNeighbour, 1, i, t * 1000 + i));
        store_->Append(std::move(batches), [&](std::vector<AppendResult> results) {
          std::lock_guard lock(mu);
          for (const AppendResult& r : results) {
            if (!r.error.ok()) ++failures;
          }
          for (uint64_t c : results[0].counters) acknowledged.push_back(c);
        });
      }
    });
  }
  for (std::thread& th : threads) th.join();
  ASSERT_TRUE(store_->SealLog(kShard).ok());  // every append queued before it is settled now
  EXPECT_EQ(failures.load(), 0);
  std::lock_guard lock(mu);
  std::sort(acknowledged.begin(), acknowledged.end());
  EXPECT_EQ(acknowledged, Range(1, 1 + 2 * kThreads * kPerThread));
  EXPECT_EQ(CountersFrom(*store_, kShard), acknowledged);
  EXPECT_EQ(CountersFrom(*store_, kNeighbour).size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_P(StoreTest, CloseIsIdempotentAndRejectsLaterWork) {
  AppendStandard();
  store_->Close();
  store_->Close();
  AppendResult refused = AppendOne(*store_, MakeBatch(kShard, 1, 0));
  EXPECT_EQ(refused.error.code(), Errc::kStorageError);
  EXPECT_EQ(ReadSync(*store_, kShard, 0).status().code(), Errc::kStorageError);
  EXPECT_EQ(WriteMetaSync(*store_, {"k", "v"}).status().code(), Errc::kStorageError);
  EXPECT_EQ(store_->TrimBefore(kShard, 5).status().code(), Errc::kStorageError);
  EXPECT_EQ(store_->SealLog(kShard).status().code(), Errc::kStorageError);
  EXPECT_EQ(store_->Ready().code(), Errc::kStorageError);
}

TEST_P(StoreTest, CloseCompletesQueuedAppends) {
  std::atomic<int> ok{0};
  for (int i = 0; i < 200; ++i) {
    std::vector<AppendBatch> batches;
    batches.push_back(MakeBatch(kShard, 1, 0));
    store_->Append(std::move(batches), [&](std::vector<AppendResult> r) {
      if (r[0].error.ok()) ++ok;
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
  constexpr ShardKey kSealed{5, 2};
  constexpr ShardKey kEmpty{5, 3};
  {
    auto s = OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    for (ShardKey shard : {kShard, kNeighbour, kSealed}) ASSERT_TRUE((*s)->CreateLog(shard, {}).ok());
    ASSERT_TRUE((*s)->CreateLog(kEmpty, {.first_counter = 77}).ok());
    ASSERT_TRUE(AppendOne(**s, MakeBatch(kShard, 3, 1000)).error.ok());
    ASSERT_TRUE(AppendOne(**s, MakeBatch(kNeighbour, 1, 1500)).error.ok());
    ASSERT_TRUE(AppendOne(**s, MakeBatch(kShard, 2, 2000)).error.ok());
    ASSERT_TRUE(AppendOne(**s, MakeBatch(kSealed, 2, 2000)).error.ok());
    ASSERT_EQ(*(*s)->SealLog(kSealed), 3u);
    ASSERT_TRUE(WriteMetaSync(**s, {"stream/x", "meta"}).ok());
    ASSERT_EQ(*(*s)->TrimBefore(kShard, 1500), 4u);
    // Destructor closes.
  }
  auto s = OpenRocksDbStore(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(CountersFrom(**s, kShard), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(CountersFrom(**s, kNeighbour), (std::vector<uint64_t>{1}));
  EXPECT_EQ(AppendOne(**s, MakeBatch(kShard, 1, 3000)).counters, (std::vector<uint64_t>{6}));  // counting goes on
  EXPECT_EQ(AppendOne(**s, MakeBatch(kEmpty, 1, 3000)).counters, (std::vector<uint64_t>{77}));
  EXPECT_EQ(AppendOne(**s, MakeBatch(kSealed, 1, 3000)).error.code(), Errc::kSealed);
  EXPECT_EQ(*(*s)->SealLog(kSealed), 3u);
  EXPECT_EQ((*s)->ListLogs()->size(), 4u);
  auto meta = (*s)->ScanMeta("stream/");
  ASSERT_EQ(meta->size(), 1u);
  EXPECT_EQ((*meta)[0].value, "meta");
}

// A store from before log records keeps its records under their keys only:
// creating the shard's log adopts them and counting goes on after them.
TEST(RocksDbStoreTest, CreatingALogAdoptsRecordsFromBeforeLogRecords) {
  TempDir dir;
  Options o;
  o.path = dir.path();
  {
    auto s = OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->CreateLog(kShard, {}).ok());
    ASSERT_TRUE(AppendOne(**s, MakeBatch(kShard, 3, 1000)).error.ok());
  }
  {  // remove the log record, as an older Riffle never wrote one
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, {}},
        {rocksdb_store::kMetaColumnFamily, {}},
        {rocksdb_store::kRecordsColumnFamily, {}},
        {rocksdb_store::kTimeIndexColumnFamily, {}}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[0], rocksdb_store::LogRecordKey(kShard)).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto s = OpenRocksDbStore(o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ReadSync(**s, kShard, 0).status().code(), Errc::kResourceNotFound);
  ASSERT_TRUE((*s)->CreateLog(kShard, {.first_counter = 1}).ok());
  EXPECT_EQ(CountersFrom(**s, kShard), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(AppendOne(**s, MakeBatch(kShard, 1, 2000)).counters, (std::vector<uint64_t>{4}));
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
  EXPECT_NE(second.status().message().find("lock"), std::string::npos) << second.status().message();
}

TEST(RocksDbStoreTest, InMemoryStoresAreIndependentAndLeaveNoFiles) {
  Options o;
  o.in_memory = true;
  o.path = "";
  auto a = OpenRocksDbStore(o);
  auto b = OpenRocksDbStore(o);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_TRUE((*a)->CreateLog(kShard, {}).ok());
  ASSERT_TRUE(AppendOne(**a, MakeBatch(kShard, 1, 0)).error.ok());
  EXPECT_EQ(ReadSync(**b, kShard, 0).status().code(), Errc::kResourceNotFound);
  EXPECT_EQ(CountersFrom(**a, kShard), (std::vector<uint64_t>{1}));
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
    ASSERT_TRUE((*s)->CreateLog(kShard, {}).ok());
    ASSERT_TRUE(AppendOne(**s, MakeBatch(kShard, 3, 1000)).error.ok());
    ASSERT_TRUE(AppendOne(**s, MakeBatch(kShard, 1, 2000)).error.ok());
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
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto read = ReadSync(**s, kShard, 0);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Errc::kStorageError);
  EXPECT_NE(read.status().message().find("checksum"), std::string::npos) << read.status().message();
  EXPECT_EQ(CountersFrom(**s, kShard, 4), (std::vector<uint64_t>{4}));  // the intact batch still reads
}

}  // namespace
}  // namespace riffle::store
