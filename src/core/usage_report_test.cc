// The usage report nodes exchange: round trip, and bytes that are not one.
#include "core/usage_report.h"

#include <gtest/gtest.h>

namespace riffle::core {
namespace {

TEST(UsageReportTest, RoundTrips) {
  UsageReport report;
  report.shards.push_back({UINT64_MAX, 7, 1000, 1 << 20, 5, 1ull << 40});
  report.shards.push_back({1, 0, 1, 2, 0, 0});
  report.calls.push_back({"DescribeStream", "123456789012/us-east-1", 3});
  report.calls.push_back({"ListShards", std::string("a/b/\0c", 6), 1});
  std::string bytes = EncodeUsageReport(report);
  EXPECT_EQ(bytes[0], '\x01');
  auto decoded = DecodeUsageReport(bytes);
  ASSERT_TRUE(decoded.has_value());
  ASSERT_EQ(decoded->shards.size(), 2u);
  EXPECT_EQ(decoded->shards[0].incarnation, UINT64_MAX);
  EXPECT_EQ(decoded->shards[0].shard_index, 7u);
  EXPECT_EQ(decoded->shards[0].write_records, 1000u);
  EXPECT_EQ(decoded->shards[0].write_bytes, 1u << 20);
  EXPECT_EQ(decoded->shards[0].read_calls, 5u);
  EXPECT_EQ(decoded->shards[0].read_bytes, 1ull << 40);
  ASSERT_EQ(decoded->calls.size(), 2u);
  EXPECT_EQ(decoded->calls[0].operation, "DescribeStream");
  EXPECT_EQ(decoded->calls[0].scope_key, "123456789012/us-east-1");
  EXPECT_EQ(decoded->calls[0].calls, 3u);
  EXPECT_EQ(decoded->calls[1].scope_key, std::string("a/b/\0c", 6));
  EXPECT_TRUE(DecodeUsageReport(EncodeUsageReport({}))->empty());
}

TEST(UsageReportTest, RefusesWhatIsNotAReport) {
  UsageReport report;
  report.shards.push_back({1, 2, 3, 4, 5, 6});
  report.calls.push_back({"ListStreams", "a/r", 1});
  std::string bytes = EncodeUsageReport(report);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeUsageReport(bytes.substr(0, cut)).has_value()) << cut;
  }
  EXPECT_FALSE(DecodeUsageReport(bytes + '\0').has_value());
  std::string other = bytes;
  other[0] = '\x02';
  EXPECT_FALSE(DecodeUsageReport(other).has_value());
  std::string huge = bytes.substr(0, 1) + std::string("\xff\xff\xff\x7f", 4);
  EXPECT_FALSE(DecodeUsageReport(huge).has_value()) << "a count beyond the bytes is refused before allocating";
}

}  // namespace
}  // namespace riffle::core
