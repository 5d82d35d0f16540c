#include "base/latency_histogram.h"

#include <gtest/gtest.h>

namespace riffle {
namespace {

TEST(LatencyHistogramTest, CountsEachDurationInTheFirstBucketWhoseBoundHoldsIt) {
  LatencyHistogram histogram;
  histogram.Add(0);        // <= 50
  histogram.Add(50);       // <= 50 (bounds are inclusive, as Prometheus's le)
  histogram.Add(51);       // <= 100
  histogram.Add(999);      // <= 1000
  histogram.Add(2000000);  // +Inf
  LatencyHistogram::Snapshot s = histogram.Read();
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.sum_us, 0u + 50 + 51 + 999 + 2000000);
  EXPECT_EQ(s.buckets[0], 2u);
  EXPECT_EQ(s.buckets[1], 1u);
  EXPECT_EQ(s.buckets[4], 1u);
  EXPECT_EQ(s.buckets[LatencyHistogram::kBuckets - 1], 1u);
  uint64_t total = 0;
  for (uint64_t b : s.buckets) total += b;
  EXPECT_EQ(total, s.count);
}

}  // namespace
}  // namespace riffle
