// ThroughputLimits against a ManualClock: per-shard write and read limits,
// the read debt after a large GetRecords, and control-plane rates.
#include "core/throughput_limits.h"

#include <gtest/gtest.h>

namespace riffle::core {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

TEST(ThroughputLimitsTest, WritesAllowAThousandRecordsPerSecondPerShard) {
  ManualClock clock(1'000'000);
  ThroughputLimits limits(clock);
  ShardRef shard{1, 0};
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limits.AdmitWrite(shard, 10)) << i;
  EXPECT_FALSE(limits.AdmitWrite(shard, 10));
  EXPECT_TRUE(limits.AdmitWrite({1, 1}, 10)) << "other shards have their own budget";
  EXPECT_TRUE(limits.AdmitWrite({2, 0}, 10)) << "a recreated stream starts afresh";
  clock.Advance(1);  // one record's worth refills per ms
  EXPECT_TRUE(limits.AdmitWrite(shard, 10));
  EXPECT_FALSE(limits.AdmitWrite(shard, 10));
}

TEST(ThroughputLimitsTest, WritesAllowOneMebibytePerSecondPerShard) {
  ManualClock clock(0);
  ThroughputLimits limits(clock);
  ShardRef shard{7, 3};
  EXPECT_TRUE(limits.AdmitWrite(shard, kMiB / 2));
  EXPECT_TRUE(limits.AdmitWrite(shard, kMiB / 2));
  EXPECT_FALSE(limits.AdmitWrite(shard, 1));
  clock.Advance(501);
  EXPECT_FALSE(limits.AdmitWrite(shard, kMiB / 2 + 4096)) << "a refused record takes nothing";
  EXPECT_TRUE(limits.AdmitWrite(shard, kMiB / 2));
}

TEST(ThroughputLimitsTest, AnOversizedRecordNeedsAFullBucketAndLeavesDebt) {
  ManualClock clock(0);
  ThroughputLimits limits(clock);
  ShardRef shard{1, 0};
  EXPECT_TRUE(limits.AdmitWrite(shard, 2 * kMiB));
  clock.Advance(900);  // one second of debt
  EXPECT_FALSE(limits.AdmitWrite(shard, 1));
  clock.Advance(200);
  EXPECT_TRUE(limits.AdmitWrite(shard, 1));
}

TEST(ThroughputLimitsTest, ReadsAllowFiveCallsPerSecondPerShard) {
  ManualClock clock(0);
  ThroughputLimits limits(clock);
  ShardRef shard{1, 0};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limits.AdmitRead(shard)) << i;
  EXPECT_FALSE(limits.AdmitRead(shard));
  EXPECT_TRUE(limits.AdmitRead({1, 1}));
  clock.Advance(200);
  EXPECT_TRUE(limits.AdmitRead(shard));
  EXPECT_FALSE(limits.AdmitRead(shard));
}

TEST(ThroughputLimitsTest, TenMebibytesReadBlockTheShardForFiveSeconds) {
  ManualClock clock(0);
  ThroughputLimits limits(clock);
  ShardRef shard{1, 0};
  ASSERT_TRUE(limits.AdmitRead(shard));
  limits.ChargeRead(shard, 10 * kMiB);
  clock.Advance(4999);
  EXPECT_FALSE(limits.AdmitRead(shard));
  clock.Advance(1);
  EXPECT_TRUE(limits.AdmitRead(shard));
}

TEST(ThroughputLimitsTest, SmallReadsStayWithinTheByteRate) {
  ManualClock clock(0);
  ThroughputLimits limits(clock);
  ShardRef shard{1, 0};
  ASSERT_TRUE(limits.AdmitRead(shard));
  limits.ChargeRead(shard, 1024);
  EXPECT_FALSE(limits.AdmitRead(shard)) << "in debt until the next ms";
  clock.Advance(1);
  EXPECT_TRUE(limits.AdmitRead(shard));
}

TEST(ThroughputLimitsTest, ControlPlaneRatesFollowTheDocumentedLimits) {
  ASSERT_NE(FindControlLimit("DescribeStream"), nullptr);
  EXPECT_EQ(FindControlLimit("DescribeStream")->per_second, 10);
  EXPECT_EQ(FindControlLimit("ListShards")->scope, LimitScope::kStream);
  EXPECT_EQ(FindControlLimit("CreateStream")->per_second, 5);
  EXPECT_EQ(FindControlLimit("DescribeLimits")->per_second, 1);
  EXPECT_EQ(FindControlLimit("PutRecords"), nullptr);
  EXPECT_EQ(FindControlLimit("Nope"), nullptr);

  ManualClock clock(0);
  ThroughputLimits limits(clock);
  const ControlLimit& describe = *FindControlLimit("DescribeStream");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limits.AdmitCall(describe, "111111111111/us-east-1")) << i;
  EXPECT_FALSE(limits.AdmitCall(describe, "111111111111/us-east-1"));
  EXPECT_TRUE(limits.AdmitCall(describe, "222222222222/us-east-1")) << "accounts are counted apart";
  EXPECT_TRUE(limits.AdmitCall(*FindControlLimit("ListStreams"), "111111111111/us-east-1"))
      << "operations are counted apart";
  clock.Advance(100);
  EXPECT_TRUE(limits.AdmitCall(describe, "111111111111/us-east-1"));
  EXPECT_FALSE(limits.AdmitCall(describe, "111111111111/us-east-1"));
}

// Two nodes of a cluster: each charges the other's report to its own buckets.
TEST(ThroughputLimitsTest, ANodeChargesWhatAnotherNodeReportsItTook) {
  ManualClock clock(0);
  ThroughputLimits a(clock), b(clock);
  a.KeepReports();
  b.KeepReports();
  ShardRef shard{3, 1};
  EXPECT_EQ(a.TakeReport(), "") << "nothing taken yet";
  for (int i = 0; i < 600; ++i) ASSERT_TRUE(a.AdmitWrite(shard, 100)) << i;
  ASSERT_TRUE(a.AdmitRead(shard));
  a.ChargeRead(shard, 3 * kMiB);
  const ControlLimit* describe = FindControlLimit("DescribeStream");
  ASSERT_NE(describe, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(a.AdmitCall(*describe, "acct/us-east-1"));
  std::string report = a.TakeReport();
  ASSERT_NE(report, "");
  EXPECT_EQ(a.TakeReport(), "") << "a report is handed out once";
  b.Apply(report);
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(b.AdmitWrite(shard, 100)) << i;
  EXPECT_FALSE(b.AdmitWrite(shard, 100)) << "the shard's 1000 records of this second are spent across the nodes";
  EXPECT_FALSE(b.AdmitRead(shard)) << "the read balance is in debt for the 3 MiB node a returned";
  EXPECT_FALSE(b.AdmitCall(*describe, "acct/us-east-1"));
  EXPECT_TRUE(b.AdmitCall(*describe, "other/us-east-1"));
  EXPECT_TRUE(b.AdmitWrite({3, 0}, 100)) << "other shards are not charged";
  // b's own takes are reported too, and a is charged for them.
  a.Apply(b.TakeReport());
  EXPECT_FALSE(a.AdmitWrite(shard, 100));
  EXPECT_FALSE(a.AdmitWrite({3, 0}, kMiB - 50)) << "b took 100 bytes of shard 0's MiB";
}

TEST(ThroughputLimitsTest, NodesAdmittingAtOnceLeaveDebtThatHoldsTheAverage) {
  ManualClock clock(0);
  ThroughputLimits a(clock), b(clock);
  a.KeepReports();
  b.KeepReports();
  ShardRef shard{1, 0};
  // Both admit a full second's worth before either hears of the other.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(a.AdmitWrite(shard, 10));
    ASSERT_TRUE(b.AdmitWrite(shard, 10));
  }
  std::string from_a = a.TakeReport(), from_b = b.TakeReport();
  a.Apply(from_b);
  b.Apply(from_a);
  clock.Advance(999);
  EXPECT_FALSE(a.AdmitWrite(shard, 10)) << "1000 records of debt take a second to pay back";
  clock.Advance(2);
  EXPECT_TRUE(a.AdmitWrite(shard, 10));
}

TEST(ThroughputLimitsTest, ReportsThatCannotBeReadAreIgnored) {
  ManualClock clock(0);
  ThroughputLimits a(clock), b(clock);
  a.KeepReports();
  ShardRef shard{1, 0};
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(a.AdmitWrite(shard, 10));
  std::string report = a.TakeReport();
  b.Apply(report.substr(0, report.size() - 1));
  b.Apply(report + "x");
  b.Apply(std::string(1, '\x02') + report.substr(1));
  b.Apply("");
  EXPECT_TRUE(b.AdmitWrite(shard, 10));
  UsageReport call;
  call.calls.push_back({"NoSuchOperation", "acct/us-east-1", 5});
  b.Apply(EncodeUsageReport(call));
}

}  // namespace
}  // namespace riffle::core
