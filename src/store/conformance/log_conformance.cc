// Conformance: record logs — counters, reads from any counter, limits,
// next/at_end, bounds, arrival search, seal, drop, trim, listing, errors.
#include <algorithm>
#include <set>

#include "store/conformance/store_conformance.h"

namespace riffle::store::conformance {
namespace {


std::vector<AppendEntry> Entries(int n, const std::string& tag, size_t data_size = 8) {
  std::vector<AppendEntry> out;
  for (int i = 0; i < n; ++i) {
    std::string data = tag + "-" + std::to_string(i);
    if (data.size() < data_size) data.resize(data_size, '.');
    out.push_back({"pk" + std::to_string(i), data});
  }
  return out;
}

std::string DataOf(const std::string& tag, int i, size_t data_size = 8) {
  std::string data = tag + "-" + std::to_string(i);
  if (data.size() < data_size) data.resize(data_size, '.');
  return data;
}

void ExpectIncreasing(const std::vector<uint64_t>& counters) {
  for (size_t i = 1; i < counters.size(); ++i) EXPECT_LT(counters[i - 1], counters[i]) << i;
}

TEST_P(StoreConformanceTest, AppendAssignsIncreasingCountersAndReadsReturnThem) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  const int64_t arrival = NowMs();
  AppendResult r1 = AppendOne(*a_, shard, Entries(3, "one"), arrival);
  ASSERT_TRUE(r1.error.ok()) << r1.error.message();
  ASSERT_EQ(r1.counters.size(), 3u);
  EXPECT_GE(r1.counters[0], 1u);
  ExpectIncreasing(r1.counters);
  EXPECT_EQ(r1.arrival_ms, arrival);
  AppendResult r2 = AppendOne(*b_, shard, Entries(2, "two"), arrival + 1);
  ASSERT_TRUE(r2.error.ok());
  EXPECT_LT(r1.counters.back(), r2.counters.front());

  auto read = ReadSync(*b_, shard, 0);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->records.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(read->records[static_cast<size_t>(i)].counter, r1.counters[static_cast<size_t>(i)]);
    EXPECT_EQ(read->records[static_cast<size_t>(i)].data, DataOf("one", i));
    EXPECT_EQ(read->records[static_cast<size_t>(i)].partition_key, "pk" + std::to_string(i));
    EXPECT_EQ(read->records[static_cast<size_t>(i)].arrival_ms, arrival);
  }
  EXPECT_EQ(read->records[3].counter, r2.counters[0]);
  EXPECT_EQ(read->records[4].data, DataOf("two", 1));
  EXPECT_TRUE(read->at_end);
  EXPECT_EQ(read->next, r2.counters.back() + 1);
  // At the end: nothing, same next.
  auto tail = ReadSync(*a_, shard, read->next);
  ASSERT_TRUE(tail.ok());
  EXPECT_TRUE(tail->records.empty());
  EXPECT_TRUE(tail->at_end);
  EXPECT_EQ(tail->next, read->next);
}

TEST_P(StoreConformanceTest, FirstCounterAndBoundsOfAnEmptyLog) {
  ShardKey shard = NewShard();
  const uint64_t first = 5'000'000'123;
  ASSERT_TRUE(a_->CreateLog(shard, {.first_counter = first}).ok());
  ASSERT_TRUE(b_->CreateLog(shard, {.first_counter = first}).ok());  // idempotent
  auto empty = BoundsSync(*b_, shard);
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty->end, first);
  EXPECT_EQ(empty->first, empty->end);
  EXPECT_FALSE(empty->sealed);
  AppendResult r = AppendOne(*a_, shard, Entries(2, "x"), NowMs());
  ASSERT_TRUE(r.error.ok()) << r.error.message();
  EXPECT_GE(r.counters[0], first);
  auto bounds = BoundsSync(*a_, shard);
  ASSERT_TRUE(bounds.ok());
  EXPECT_EQ(bounds->first, r.counters[0]);
  EXPECT_EQ(bounds->end, r.counters[1] + 1);
}

TEST_P(StoreConformanceTest, ReadsStartAtAnyCounter) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  AppendResult r1 = AppendOne(*a_, shard, Entries(4, "one"), NowMs());
  AppendResult r2 = AppendOne(*a_, shard, Entries(4, "two"), NowMs());
  ASSERT_TRUE(r1.error.ok() && r2.error.ok());
  // Inside a batch.
  auto mid = ReadSync(*b_, shard, r1.counters[2]);
  ASSERT_TRUE(mid.ok()) << mid.status().message();
  ASSERT_EQ(mid->records.size(), 6u);
  EXPECT_EQ(mid->records[0].counter, r1.counters[2]);
  EXPECT_EQ(mid->records[0].data, DataOf("one", 2));
  // Between two records (after the first batch's last counter, before the
  // second's first), wherever the gap is.
  auto between = ReadSync(*a_, shard, r1.counters[3] + 1);
  ASSERT_TRUE(between.ok()) << between.status().message();
  ASSERT_FALSE(between->records.empty());
  EXPECT_EQ(between->records[0].counter, r2.counters[0]);
  if (r2.counters[0] > r1.counters[3] + 1) {
    auto gap = ReadSync(*a_, shard, r2.counters[0] - 1);
    ASSERT_TRUE(gap.ok());
    ASSERT_FALSE(gap->records.empty());
    EXPECT_EQ(gap->records[0].counter, r2.counters[0]);
  }
  // Past the end.
  auto past = ReadSync(*a_, shard, r2.counters[3] + 1000);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->records.empty());
  EXPECT_TRUE(past->at_end);
  EXPECT_GE(past->next, r2.counters[3] + 1);
}

TEST_P(StoreConformanceTest, ReadLimitsAndContinuation) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  std::vector<uint64_t> all;
  for (int b = 0; b < 5; ++b) {
    AppendResult r = AppendOne(*a_, shard, Entries(7, "b" + std::to_string(b), 100), NowMs());
    ASSERT_TRUE(r.error.ok());
    all.insert(all.end(), r.counters.begin(), r.counters.end());
  }
  auto three = ReadSync(*a_, shard, 0, {.max_records = 3, .max_bytes = 1 << 20});
  ASSERT_TRUE(three.ok());
  ASSERT_EQ(three->records.size(), 3u);
  EXPECT_FALSE(three->at_end);
  EXPECT_EQ(three->next, all[2] + 1);
  // max_bytes: each record is 3 bytes of key + 100 of data.
  auto bytes = ReadSync(*b_, shard, all[5], {.max_records = 100, .max_bytes = 3 * 103 + 50});
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->records.size(), 3u);
  EXPECT_EQ(bytes->records[0].counter, all[5]);
  // At least one record even when it alone exceeds max_bytes.
  auto one = ReadSync(*a_, shard, all[10], {.max_records = 100, .max_bytes = 1});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->records.size(), 1u);
  EXPECT_EQ(one->next, all[10] + 1);
  // Sequential reads with small limits return every record once, in order.
  for (uint64_t n : {1u, 2u, 6u, 7u, 8u, 14u}) {
    auto got = ReadAll(*b_, shard, 0, {.max_records = n, .max_bytes = 1 << 20});
    ASSERT_EQ(got.size(), all.size()) << n;
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(got[i].first, all[i]);
  }
  // The same with byte limits of about one, two and three batches (a read
  // may ask for the next one's records before it returns).
  for (uint64_t max_bytes : {7u * 103, 14u * 103 + 1, 20u * 103}) {
    auto got = ReadAll(*a_, shard, 0, {.max_records = 1000, .max_bytes = max_bytes});
    ASSERT_EQ(got.size(), all.size()) << max_bytes;
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(got[i].first, all[i]);
  }
}

TEST_P(StoreConformanceTest, FindByArrival) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  const int64_t t = NowMs() - 60000;
  AppendResult r1 = AppendOne(*a_, shard, Entries(2, "old"), t);
  AppendResult r2 = AppendOne(*a_, shard, Entries(2, "mid"), t + 20000);
  AppendResult r3 = AppendOne(*a_, shard, Entries(2, "new"), t + 40000);
  ASSERT_TRUE(r1.error.ok() && r2.error.ok() && r3.error.ok());
  EXPECT_EQ(*FindSync(*b_, shard, t - 1000), r1.counters[0]);
  EXPECT_EQ(*FindSync(*b_, shard, t), r1.counters[0]);
  EXPECT_EQ(*FindSync(*b_, shard, t + 1), r2.counters[0]);
  EXPECT_EQ(*FindSync(*a_, shard, t + 20000), r2.counters[0]);
  EXPECT_EQ(*FindSync(*a_, shard, t + 30000), r3.counters[0]);
  auto none = FindSync(*a_, shard, t + 50000);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, (*BoundsSync(*a_, shard)).end);
}

TEST_P(StoreConformanceTest, SealLog) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {.first_counter = 77}).ok());
  AppendResult r = AppendOne(*a_, shard, Entries(3, "x"), NowMs());
  ASSERT_TRUE(r.error.ok());
  auto end = b_->SealLog(shard);
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_EQ(*end, r.counters.back() + 1);
  auto again = a_->SealLog(shard);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *end);
  AppendResult refused = AppendOne(*a_, shard, Entries(1, "late"), NowMs());
  EXPECT_EQ(refused.error.code(), Errc::kSealed) << refused.error.message();
  EXPECT_EQ(refused.counters, std::vector<uint64_t>{0});
  auto read = ReadSync(*b_, shard, 0);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->records.size(), 3u);
  EXPECT_TRUE(read->at_end);
  EXPECT_GE(read->next, *end);
  auto bounds = BoundsSync(*a_, shard);
  ASSERT_TRUE(bounds.ok());
  EXPECT_TRUE(bounds->sealed);
  EXPECT_EQ(bounds->end, *end);
  // A log sealed before any append ends at its first counter.
  ShardKey empty = NewShard();
  ASSERT_TRUE(a_->CreateLog(empty, {.first_counter = 5000}).ok());
  auto empty_end = a_->SealLog(empty);
  ASSERT_TRUE(empty_end.ok());
  EXPECT_EQ(*empty_end, 5000u);
}

TEST_P(StoreConformanceTest, DropLogAndMissingLogs) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  ASSERT_TRUE(AppendOne(*a_, shard, Entries(2, "x"), NowMs()).error.ok());
  auto logs = b_->ListLogs();
  ASSERT_TRUE(logs.ok()) << logs.status().message();
  auto listed = std::find_if(logs->begin(), logs->end(), [&](const LogInfo& l) { return l.shard == shard; });
  ASSERT_NE(listed, logs->end());
  EXPECT_GT(listed->created_ms, NowMs() - 600000);
  ASSERT_TRUE(b_->DropLog(shard).ok());
  ASSERT_TRUE(a_->DropLog(shard).ok());  // idempotent
  EXPECT_EQ(ReadSync(*a_, shard, 0).status().code(), Errc::kResourceNotFound);
  EXPECT_EQ(BoundsSync(*a_, shard).status().code(), Errc::kResourceNotFound);
  AppendResult r = AppendOne(*a_, shard, Entries(1, "y"), NowMs());
  EXPECT_EQ(r.error.code(), Errc::kResourceNotFound) << r.error.message();
  EXPECT_EQ(r.counters, std::vector<uint64_t>{0});
  logs = a_->ListLogs();
  ASSERT_TRUE(logs.ok());
  EXPECT_TRUE(std::none_of(logs->begin(), logs->end(), [&](const LogInfo& l) { return l.shard == shard; }));
  EXPECT_EQ(a_->SealLog(NewShard()).status().code(), Errc::kResourceNotFound);
}

TEST_P(StoreConformanceTest, TrimBefore) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  const int64_t t = NowMs() - 60000;
  AppendResult r1 = AppendOne(*a_, shard, Entries(3, "old"), t);
  AppendResult r2 = AppendOne(*a_, shard, Entries(3, "new"), t + 30000);
  ASSERT_TRUE(r1.error.ok() && r2.error.ok());
  auto first = b_->TrimBefore(shard, t + 1);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, r2.counters[0]);
  EXPECT_EQ(*b_->TrimBefore(shard, t + 1), r2.counters[0]);  // idempotent
  auto read = ReadSync(*a_, shard, 0);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->records.size(), 3u);
  EXPECT_EQ(read->records[0].counter, r2.counters[0]);
  EXPECT_EQ((*BoundsSync(*a_, shard)).first, r2.counters[0]);
  // Trimming everything leaves an empty log whose end stays.
  auto all = a_->TrimBefore(shard, t + 40000);
  ASSERT_TRUE(all.ok());
  auto bounds = BoundsSync(*a_, shard);
  ASSERT_TRUE(bounds.ok());
  EXPECT_EQ(*all, bounds->end);
  EXPECT_EQ(bounds->first, bounds->end);
  EXPECT_EQ(bounds->end, r2.counters.back() + 1);
  auto empty = ReadSync(*a_, shard, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->records.empty());
}

// A read's records may view the store's own memory (the memory store's slab,
// the JetStream store's fetched messages): they stay valid, with their bytes,
// as long as the read, whatever happens to the log meanwhile.
TEST_P(StoreConformanceTest, ReadRecordsOutliveTrimmingAndDroppingTheLog) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  const int64_t t = NowMs() - 60000;
  AppendResult r = AppendOne(*a_, shard, Entries(5, "kept", 3000), t);
  ASSERT_TRUE(r.error.ok()) << r.error.message();
  auto read = ReadSync(*b_, shard, r.counters[1]);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->records.size(), 4u);
  ASSERT_TRUE(a_->TrimBefore(shard, t + 1).ok());
  ASSERT_TRUE(a_->DropLog(shard).ok());
  // Fresh records over whatever the log's memory was.
  ShardKey next = NewShard();
  ASSERT_TRUE(a_->CreateLog(next, {}).ok());
  AppendResult other = AppendOne(*a_, next, Entries(5, "over", 3000), t);
  ASSERT_TRUE(other.error.ok()) << other.error.message();
  for (int i = 1; i < 5; ++i) {
    const Record& record = read->records[static_cast<size_t>(i - 1)];
    EXPECT_EQ(record.counter, r.counters[static_cast<size_t>(i)]);
    EXPECT_EQ(record.data, DataOf("kept", i, 3000));
    EXPECT_EQ(record.partition_key, "pk" + std::to_string(i));
  }
  // Moved, the read keeps them too.
  LogRead moved = std::move(*read);
  EXPECT_EQ(moved.records[3].data, DataOf("kept", 4, 3000));
}

TEST_P(StoreConformanceTest, TrimBeforeOnASealedLogHidesOldRecords) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  const int64_t t = NowMs() - 60000;
  AppendResult r1 = AppendOne(*a_, shard, Entries(2, "old"), t);
  AppendResult r2 = AppendOne(*a_, shard, Entries(2, "new"), t + 30000);
  ASSERT_TRUE(r1.error.ok() && r2.error.ok());
  ASSERT_TRUE(a_->SealLog(shard).ok());
  auto first = a_->TrimBefore(shard, t + 1);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, r2.counters[0]);
  auto read = ReadSync(*a_, shard, 0);
  ASSERT_TRUE(read.ok());
  ASSERT_FALSE(read->records.empty());
  EXPECT_EQ(read->records[0].counter, r2.counters[0]);
}

TEST_P(StoreConformanceTest, RecordsUpToMaxRecordBytes) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  const uint64_t max = a_->MaxRecordBytes();
  ASSERT_GE(max, 1000u);
  std::vector<AppendEntry> big = {{"key", std::string(max - 3, 'z')}};
  AppendResult r = AppendOne(*a_, shard, big, NowMs());
  ASSERT_TRUE(r.error.ok()) << r.error.message();
  auto read = ReadSync(*b_, shard, r.counters[0], {.max_records = 1, .max_bytes = 1});
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->records.size(), 1u);
  EXPECT_EQ(read->records[0].data.size(), max - 3);
  EXPECT_EQ(read->records[0].partition_key, "key");
}

TEST_P(StoreConformanceTest, BatchesLargerThanOneMessage) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  // Larger in bytes than any one message: 3 x MaxRecordBytes in 30 records.
  const size_t size = a_->MaxRecordBytes() / 10;
  AppendResult big = AppendOne(*a_, shard, Entries(30, "big", size), NowMs());
  ASSERT_TRUE(big.error.ok()) << big.error.message();
  ExpectIncreasing(big.counters);
  // More records than one message may hold (65535).
  AppendResult many = AppendOne(*a_, shard, Entries(70000, "m", 1), NowMs());
  ASSERT_TRUE(many.error.ok()) << many.error.message();
  ExpectIncreasing(many.counters);
  EXPECT_LT(big.counters.back(), many.counters.front());
  auto got = ReadAll(*b_, shard, 0);
  ASSERT_EQ(got.size(), 70030u);
  for (size_t i = 0; i < 30; ++i) {
    EXPECT_EQ(got[i].first, big.counters[i]);
    EXPECT_EQ(got[i].second, DataOf("big", static_cast<int>(i), size));
  }
  for (size_t i = 0; i < 70000; ++i) {
    ASSERT_EQ(got[30 + i].first, many.counters[i]) << i;
  }
}

TEST_P(StoreConformanceTest, SeveralBatchesInOneAppend) {
  ShardKey s1 = NewShard(), s2 = NewShard(), missing = NewShard();
  ASSERT_TRUE(a_->CreateLog(s1, {}).ok());
  ASSERT_TRUE(a_->CreateLog(s2, {}).ok());
  std::vector<AppendBatch> batches(3);
  batches[0] = {s1, NowMs(), Entries(2, "a")};
  batches[1] = {missing, NowMs(), Entries(1, "m")};
  batches[2] = {s2, NowMs(), Entries(3, "b")};
  auto results = AppendAll(*a_, std::move(batches));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].error.ok());
  EXPECT_EQ(results[1].error.code(), Errc::kResourceNotFound);
  EXPECT_TRUE(results[2].error.ok());
  EXPECT_EQ(ReadAll(*b_, s2, 0).size(), 3u);
  EXPECT_TRUE(AppendAll(*a_, {}).empty());
}

TEST_P(StoreConformanceTest, AppendObserverHearsLocalAppends) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  ASSERT_TRUE(AppendOne(*a_, shard, Entries(1, "x"), NowMs()).error.ok());
  EXPECT_TRUE(a_appends_.WaitFor(
      [&](const std::vector<ShardKey>& seen) { return std::count(seen.begin(), seen.end(), shard) > 0; }));
}

TEST_P(StoreConformanceTest, ClosedStoreRefusesCalls) {
  a_->Close();
  a_->Close();
  EXPECT_EQ(a_->GetMeta("k").status().code(), Errc::kStorageError);
  EXPECT_EQ(Put(*a_, "k", "v").status().code(), Errc::kStorageError);
  EXPECT_EQ(a_->CreateLog(NewShard(), {}).code(), Errc::kStorageError);
  AppendResult r = AppendOne(*a_, NewShard(), Entries(1, "x"), NowMs());
  EXPECT_EQ(r.error.code(), Errc::kStorageError);
  EXPECT_EQ(ReadSync(*a_, NewShard(), 0).status().code(), Errc::kStorageError);
}

}  // namespace
}  // namespace riffle::store::conformance
