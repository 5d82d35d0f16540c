#include "client/producer_batcher.h"

#include <gtest/gtest.h>

namespace riffle::kinesis::internal {
namespace {

using std::chrono::milliseconds;

PendingPtr Record(std::string key, size_t bytes) {
  auto p = std::make_shared<PendingRecord>();
  p->record.partition_key = std::move(key);
  p->record.data.assign(bytes, 'x');
  p->hash = HashKeyOfPartitionKey(p->record.partition_key);
  return p;
}

TEST(ProducerBatcher, AggregatesPerShardUntilTheDeadline) {
  ProducerBatcher b({});
  const auto t0 = ProducerClock::now();
  for (int i = 0; i < 10; ++i) b.Add(i % 2 ? "s1" : "s0", Record("k" + std::to_string(i), 100), t0);
  EXPECT_TRUE(b.TakeReady(t0, 10).empty());  // neither full nor due
  ASSERT_EQ(b.NextDeadline(), t0 + milliseconds(100));
  auto batches = b.TakeReady(t0 + milliseconds(100), 10);
  ASSERT_EQ(batches.size(), 2u);
  for (const Batch& batch : batches) {
    ASSERT_EQ(batch.entries.size(), 1u);  // five records, one aggregated record
    const KinesisEntry& e = batch.entries[0];
    EXPECT_EQ(e.members.size(), 5u);
    EXPECT_TRUE(IsAggregated(e.data));
    EXPECT_EQ(e.partition_key, e.members[0]->record.partition_key);
    EXPECT_EQ(e.explicit_hash_key, FormatHashKey(e.members[0]->hash));
  }
  EXPECT_EQ(b.buffered_records(), 0u);
}

TEST(ProducerBatcher, SealsAtTheAggregationLimitAndSendsBigRecordsAlone) {
  ProducerBatcher::Limits limits;
  limits.aggregation_max_bytes = 1000;
  ProducerBatcher b(limits);
  const auto t0 = ProducerClock::now();
  for (int i = 0; i < 9; ++i) b.Add("s", Record("k", 300), t0);  // three fit in 1000 bytes
  b.Add("s", Record("big", 5000), t0);
  auto batches = b.TakeReady(t0 + milliseconds(100), 10);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].entries.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(batches[0].entries[i].members.size(), 3u);
    EXPECT_LE(batches[0].entries[i].data.size(), 1000u);
  }
  EXPECT_FALSE(batches[0].entries[3].aggregated());
  EXPECT_EQ(batches[0].entries[3].data.size(), 5000u);
}

TEST(ProducerBatcher, FullBatchesGoAtOnceOnePerShardInFlight) {
  ProducerBatcher::Limits limits;
  limits.aggregate = false;
  limits.batch_max_records = 4;
  ProducerBatcher b(limits);
  const auto t0 = ProducerClock::now();
  for (int i = 0; i < 10; ++i) b.Add("s", Record("k" + std::to_string(i), 10), t0);
  auto first = b.TakeReady(t0, 10);  // full, so not waiting for the deadline
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].entries.size(), 4u);
  EXPECT_TRUE(b.TakeReady(t0, 10).empty());  // one in flight per shard
  b.Done("s");
  auto second = b.TakeReady(t0, 10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].entries[0].members[0]->record.partition_key, "k4");  // in order
  b.Done("s");
  EXPECT_TRUE(b.TakeReady(t0, 10).empty());  // two left: not full, not due
  b.FlushAll(t0);
  auto last = b.TakeReady(t0, 10);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].entries.size(), 2u);
}

TEST(ProducerBatcher, BatchBytesLimit) {
  ProducerBatcher::Limits limits;
  limits.aggregate = false;
  limits.batch_max_bytes = 250;
  limits.max_in_flight_per_shard = 10;
  ProducerBatcher b(limits);
  const auto t0 = ProducerClock::now();
  for (int i = 0; i < 5; ++i) b.Add("s", Record("k", 99), t0);  // 100 bytes each with the key
  auto batches = b.TakeReady(t0 + milliseconds(100), 10);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].entries.size(), 2u);
  EXPECT_EQ(batches[1].entries.size(), 2u);
  EXPECT_EQ(batches[2].entries.size(), 1u);
}

}  // namespace
}  // namespace riffle::kinesis::internal
