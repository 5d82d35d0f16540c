// LatencyHistogram: durations counted into fixed buckets, for /metrics
// (the store's write and sync latency; docs/operations.md).
//
// Add() is a few relaxed atomic adds (no lock, no allocation); Read() copies
// the counts, which may be mid-update relative to each other (a snapshot of
// counters, as Prometheus expects). Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace riffle {

class LatencyHistogram {
 public:
  // Upper bounds of the buckets, in microseconds (+Inf is implied).
  static constexpr std::array<uint64_t, 13> kBoundsUs = {50,    100,   250,    500,    1000,   2500,   5000,
                                                         10000, 25000, 50000, 100000, 250000, 1000000};
  static constexpr size_t kBuckets = kBoundsUs.size() + 1;

  struct Snapshot {
    std::array<uint64_t, kBuckets> buckets{};  // per bucket (not cumulative); the last is +Inf
    uint64_t count = 0;
    uint64_t sum_us = 0;
  };

  void Add(uint64_t us) {
    size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(us, std::memory_order_relaxed);
  }

  Snapshot Read() const {
    Snapshot s;
    for (size_t i = 0; i < kBuckets; ++i) s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count = count_.load(std::memory_order_relaxed);
    s.sum_us = sum_us_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

}  // namespace riffle
