// TrafficMeter in a cluster: what one node counted in an interval reaches
// another node's meter as a report and is added to the interval in which it
// ended there; streams counted only elsewhere are shown; reports that do not
// decode are ignored; other nodes' intervals go once out of the last minute.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "handlers/traffic_meter.h"

namespace riffle::handlers {
namespace {

constexpr const char* kAccount = "111111111111";
constexpr const char* kRegion = "us-east-1";

// Node A's report of its interval (0, 1000]: 5 records in (500 bytes), 2 out (40 bytes).
std::string ReportOfA() {
  TrafficMeter a(0);
  a.CountIn(kAccount, kRegion, "orders", 5, 500);
  a.CountOut(kAccount, kRegion, "orders", 2, 40);
  a.Sample(1000);
  auto reports = a.IntervalReports();
  EXPECT_EQ(reports.size(), 1u);
  return reports.empty() ? std::string() : reports[0];
}

TEST(TrafficMeterPeersTest, AnotherNodesIntervalAddsToTheIntervalItEndsIn) {
  TrafficMeter b(0);
  b.Sample(900);
  b.CountIn(kAccount, kRegion, "orders", 1, 100);
  b.ApplyReport(ReportOfA());  // ends at 1000: inside B's interval (900, 1900]
  b.Sample(1900);
  auto rates = b.Rates(kAccount, kRegion);
  ASSERT_EQ(rates.size(), 1u);
  ASSERT_EQ(rates[0].points.size(), 1u);
  const TrafficMeter::Point& p = rates[0].points[0];
  EXPECT_EQ(p.end_ms, 1900);
  EXPECT_EQ(p.duration_ms, 1000);
  EXPECT_EQ(p.records_in, 6u);
  EXPECT_EQ(p.bytes_in, 600u);
  EXPECT_EQ(p.records_out, 2u);
  EXPECT_EQ(p.bytes_out, 40u);
}

TEST(TrafficMeterPeersTest, AStreamCountedOnlyElsewhereIsShown) {
  TrafficMeter b(0);
  b.Sample(900);
  b.ApplyReport(ReportOfA());
  b.Sample(1900);
  b.Sample(2900);
  auto rates = b.Rates(kAccount, kRegion);
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_EQ(rates[0].name, "orders");
  ASSERT_EQ(rates[0].points.size(), 2u);
  EXPECT_EQ(rates[0].points[0].records_in, 5u);
  EXPECT_EQ(rates[0].points[1].records_in, 0u);
  EXPECT_TRUE(b.Rates("222222222222", kRegion).empty());
}

TEST(TrafficMeterPeersTest, ReportsHoldOnlyStreamsWithTrafficInTheIntervalAndAreSplitBySize) {
  TrafficMeter a(0);
  a.CountIn(kAccount, kRegion, "idle", 1, 1);
  a.Sample(1000);
  a.CountIn(kAccount, kRegion, "x", 1, 10);
  a.CountOut(kAccount, kRegion, "y", 1, 10);
  a.CountShard(kAccount, kRegion, "x", "shardId-000000000000", {{TrafficMeter::kIncomingRecords, 1}});
  a.Sample(2000);
  EXPECT_EQ(a.IntervalReports().size(), 1u);
  auto small = a.IntervalReports(1);  // one stream per report
  ASSERT_EQ(small.size(), 2u);
  TrafficMeter b(0);
  b.Sample(1500);
  for (const std::string& r : small) b.ApplyReport(r);
  b.Sample(2500);
  auto rates = b.Rates(kAccount, kRegion);
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0].name, "x");
  EXPECT_EQ(rates[0].points.back().records_in, 1u);
  EXPECT_EQ(rates[1].name, "y");
  EXPECT_EQ(rates[1].points.back().records_out, 1u);
}

TEST(TrafficMeterPeersTest, ReportsThatDoNotDecodeAreIgnored) {
  const std::string good = ReportOfA();
  std::string other_kind = good;
  other_kind[0] = 0x01;
  std::string zero_duration = good;
  zero_duration[3] = 0;  // kind, end (2 bytes), duration
  const std::vector<std::string> bad = {"", good.substr(0, good.size() - 1), good + "x", other_kind,
                                        std::string("\x02\x01\x01\xff\xff\xff\xff\x0f", 8)};
  for (const std::string& report : bad) {
    TrafficMeter b(0);
    b.Sample(900);
    b.ApplyReport(report);
    b.Sample(1900);
    EXPECT_TRUE(b.Rates(kAccount, kRegion).empty()) << report.size();
  }
  TrafficMeter b(0);
  b.Sample(900);
  b.ApplyReport(good);
  b.Sample(1900);
  EXPECT_EQ(b.Rates(kAccount, kRegion).size(), 1u);
}

TEST(TrafficMeterPeersTest, AnotherNodesIntervalsGoAfterAMinute) {
  TrafficMeter b(0);
  b.Sample(900);
  b.ApplyReport(ReportOfA());
  int64_t now = 900;
  for (size_t i = 1; i < TrafficMeter::kHistorySamples; ++i) b.Sample(now += 1000);
  EXPECT_EQ(b.Rates(kAccount, kRegion).size(), 1u);
  b.Sample(now += 1000);
  EXPECT_TRUE(b.Rates(kAccount, kRegion).empty());
  // An interval that ended before the minute shown is not taken.
  b.ApplyReport(ReportOfA());
  b.Sample(now += 1000);
  EXPECT_TRUE(b.Rates(kAccount, kRegion).empty());
}

}  // namespace
}  // namespace riffle::handlers
