// TrafficMeter: per-stream totals turned into counts per interval, kept apart
// by account, region and name, counted from many threads without loss, and
// idle streams forgotten after a whole history without traffic.
#include "handlers/traffic_meter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace riffle::handlers {
namespace {

TEST(TrafficMeterTest, EachIntervalHoldsWhatWasCountedInIt) {
  TrafficMeter meter(0);
  meter.CountIn("111111111111", "us-east-1", "orders", 3, 300);
  meter.Sample(1000);  // the stream's first interval began with the meter
  meter.CountIn("111111111111", "us-east-1", "orders", 10, 2000);
  meter.CountOut("111111111111", "us-east-1", "orders", 4, 800);
  meter.Sample(3000);  // a 2 s interval
  auto rates = meter.Rates("111111111111", "us-east-1");
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_EQ(rates[0].name, "orders");
  ASSERT_EQ(rates[0].points.size(), 2u);
  EXPECT_EQ(rates[0].points[0].end_ms, 1000);
  EXPECT_EQ(rates[0].points[0].duration_ms, 1000);
  EXPECT_EQ(rates[0].points[0].records_in, 3u);
  EXPECT_EQ(rates[0].points[0].bytes_in, 300u);
  const TrafficMeter::Point& p = rates[0].points[1];
  EXPECT_EQ(p.end_ms, 3000);
  EXPECT_EQ(p.duration_ms, 2000);
  EXPECT_EQ(p.records_in, 10u);
  EXPECT_EQ(p.bytes_in, 2000u);
  EXPECT_EQ(p.records_out, 4u);
  EXPECT_EQ(p.bytes_out, 800u);
}

TEST(TrafficMeterTest, StreamsAreKeptApartByAccountRegionAndName) {
  TrafficMeter meter(0);
  meter.CountIn("111111111111", "us-east-1", "a", 1, 1);
  meter.CountIn("111111111111", "eu-west-1", "a", 2, 2);
  meter.CountIn("222222222222", "us-east-1", "a", 3, 3);
  meter.CountIn("111111111111", "us-east-1", "b", 4, 4);
  meter.Sample(1000);
  auto rates = meter.Rates("111111111111", "us-east-1");
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0].name, "a");
  EXPECT_EQ(rates[1].name, "b");
  EXPECT_EQ(meter.Rates("222222222222", "us-east-1").size(), 1u);
  EXPECT_EQ(meter.Rates("111111111111", "eu-west-1").size(), 1u);
  EXPECT_TRUE(meter.Rates("333333333333", "us-east-1").empty());
}

TEST(TrafficMeterTest, CountsFromManyThreadsAddUp) {
  TrafficMeter meter(0);
  meter.Sample(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&meter] {
      for (int i = 0; i < 10000; ++i) meter.CountIn("000000000000", "us-east-1", i % 2 ? "odd" : "even", 1, 10);
    });
  }
  for (auto& t : threads) t.join();
  meter.Sample(1000);
  auto rates = meter.Rates("000000000000", "us-east-1");
  ASSERT_EQ(rates.size(), 2u);
  for (const auto& r : rates) {
    ASSERT_EQ(r.points.size(), 1u) << r.name;
    EXPECT_EQ(r.points[0].records_in, 20000u) << r.name;
    EXPECT_EQ(r.points[0].bytes_in, 200000u) << r.name;
  }
}

// Sampling while threads count: every count lands in exactly one interval.
TEST(TrafficMeterTest, SamplingWhileCountingLosesNothing) {
  TrafficMeter meter(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&meter] {
      for (int i = 0; i < 20000; ++i) meter.CountOut("000000000000", "us-east-1", "s", 1, 3);
    });
  }
  int64_t ms = 0;
  for (int i = 0; i < 30; ++i) {
    meter.Sample(ms += 10);
    std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  meter.Sample(ms + 10);
  auto rates = meter.Rates("000000000000", "us-east-1");
  ASSERT_EQ(rates.size(), 1u);
  uint64_t records = 0, bytes = 0;
  for (const auto& p : rates[0].points) {
    records += p.records_out;
    bytes += p.bytes_out;
  }
  EXPECT_EQ(records, 80000u);
  EXPECT_EQ(bytes, 240000u);
}

TEST(TrafficMeterTest, HistoryKeepsTheLastMinute) {
  TrafficMeter meter(0);
  for (int s = 0; s <= 100; ++s) {
    meter.CountIn("000000000000", "us-east-1", "busy", 1, 1);
    meter.Sample(s * 1000);
  }
  auto rates = meter.Rates("000000000000", "us-east-1");
  ASSERT_EQ(rates.size(), 1u);
  ASSERT_EQ(rates[0].points.size(), TrafficMeter::kHistorySamples - 1);
  EXPECT_EQ(rates[0].points.back().end_ms, 100000);
  EXPECT_EQ(rates[0].points.front().end_ms, 41000);
}

// A stream without traffic for a whole history is forgotten once no thread
// cache holds it (caches are dropped after a minute); traffic brings it back.
TEST(TrafficMeterTest, IdleStreamsAreForgotten) {
  TrafficMeter meter(0);
  std::thread([&meter] { meter.CountIn("000000000000", "us-east-1", "gone", 1, 1); }).join();
  int64_t ms = 0;
  for (; ms <= 70000; ms += 1000) meter.Sample(ms);
  EXPECT_TRUE(meter.Rates("000000000000", "us-east-1").empty());
  meter.CountIn("000000000000", "us-east-1", "gone", 1, 1);
  meter.Sample(ms);
  EXPECT_EQ(meter.Rates("000000000000", "us-east-1").size(), 1u);
}

TEST(TrafficMeterTest, CountersAddUpAndGaugesKeepTheLastValue) {
  TrafficMeter meter(0);
  using M = TrafficMeter;
  meter.Count("000000000000", "us-east-1", "s", {{M::kGetRecordsSuccess, 1}, {M::kGetRecordsIteratorAgeMs, 500}});
  meter.Count("000000000000", "us-east-1", "s", {{M::kGetRecordsSuccess, 1}, {M::kGetRecordsIteratorAgeMs, 0}});
  meter.CountIn("000000000000", "us-east-1", "s", 2, 20);
  auto totals = meter.Totals();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0][M::kGetRecordsSuccess], 2u);
  EXPECT_EQ(totals[0][M::kGetRecordsIteratorAgeMs], 0u);
  EXPECT_EQ(totals[0][M::kIncomingRecords], 2u);
  EXPECT_EQ(totals[0][M::kIncomingBytes], 20u);
  EXPECT_EQ(totals[0][M::kPutRecordSuccess], 0u);
}

// Calls that move no record (failed reads, throttled writes) keep a stream's
// series as long as they go on.
TEST(TrafficMeterTest, AStreamWithOnlyCallsIsNotIdle) {
  TrafficMeter meter(0);
  int64_t ms = 0;
  for (; ms <= 90000; ms += 1000) {
    std::thread([&meter] {
      meter.Count("000000000000", "us-east-1", "polled", {{TrafficMeter::kGetRecordsSuccess, 1}});
    }).join();
    meter.Sample(ms);
  }
  auto totals = meter.Totals();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0][TrafficMeter::kGetRecordsSuccess], 91u);
  for (; ms <= 160000; ms += 1000) meter.Sample(ms);
  EXPECT_TRUE(meter.Totals().empty());
}

// A shard's counters are its own entry: apart from its stream's, listed
// after them, and never in the console's rates.
TEST(TrafficMeterTest, ShardCountersAreApartFromTheirStreams) {
  TrafficMeter meter(0);
  using M = TrafficMeter;
  meter.CountIn("000000000000", "us-east-1", "s", 3, 30);
  meter.CountShard("000000000000", "us-east-1", "s", "shardId-000000000001",
                   {{M::kIncomingRecords, 2}, {M::kIncomingBytes, 20}});
  meter.CountShard("000000000000", "us-east-1", "s", "shardId-000000000000",
                   {{M::kIncomingRecords, 1}, {M::kIncomingBytes, 10}, {M::kGetRecordsIteratorAgeMs, 7}});
  meter.CountShard("000000000000", "us-east-1", "s", "shardId-000000000000", {{M::kIncomingRecords, 1}});
  auto totals = meter.Totals();
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[0].shard, "");
  EXPECT_EQ(totals[0][M::kIncomingRecords], 3u);
  EXPECT_EQ(totals[1].shard, "shardId-000000000000");
  EXPECT_EQ(totals[1][M::kIncomingRecords], 2u);
  EXPECT_EQ(totals[1][M::kGetRecordsIteratorAgeMs], 7u);
  EXPECT_EQ(totals[2].shard, "shardId-000000000001");
  EXPECT_EQ(totals[2][M::kIncomingBytes], 20u);
  meter.Sample(1000);
  auto rates = meter.Rates("000000000000", "us-east-1");
  ASSERT_EQ(rates.size(), 1u);
  ASSERT_EQ(rates[0].points.size(), 1u);
  EXPECT_EQ(rates[0].points[0].records_in, 3u);
}

}  // namespace
}  // namespace riffle::handlers
