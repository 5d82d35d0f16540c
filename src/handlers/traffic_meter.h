// TrafficMeter: how many records and bytes go into and out of each stream,
// and how many in each second of the last minute, for the web console
// (GET /console/api/rates, net/console_router.h).
//
// Counted by the handlers: PutRecord and PutRecords count what was stored
// (in), GetRecords and SubscribeToShard what they hand out (out). Bytes are
// data plus partition key, as Kinesis meters a record's size.
//
// Hot path (CountIn / CountOut): lock-free. Each thread keeps its own cache
// of the counter blocks it used, so a call is a lookup in a thread-local
// hash map and two relaxed atomic adds; only a thread's first call for a
// stream (and again after a cache flush, once a minute) takes the mutex.
// Sample(), called about once a second from one thread, reads the totals
// into each stream's history (the last kHistorySamples samples) and forgets
// streams without traffic for a whole history that no thread cache holds.
// Rates() reads the history. Thread-safe: every method may be called from
// any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace riffle::handlers {

class TrafficMeter {
 public:
  static constexpr size_t kHistorySamples = 61;  // 60 one-second intervals

  // One interval between two samples (about a second): when it ended, how
  // long it was, and what was counted in it.
  struct Point {
    int64_t end_ms = 0;
    int64_t duration_ms = 0;
    uint64_t records_in = 0;
    uint64_t bytes_in = 0;
    uint64_t records_out = 0;
    uint64_t bytes_out = 0;
  };
  struct StreamRates {
    std::string name;
    std::vector<Point> points;  // oldest first
  };

  // Counts from `start_ms` (ms since the epoch) on: the first interval of
  // a stream begins there or at the latest Sample() before its first count.
  explicit TrafficMeter(int64_t start_ms);
  TrafficMeter(const TrafficMeter&) = delete;
  TrafficMeter& operator=(const TrafficMeter&) = delete;

  // `records` stored into / read from stream `name` of `account` in `region`.
  void CountIn(std::string_view account, std::string_view region, std::string_view name, uint64_t records,
               uint64_t bytes);
  void CountOut(std::string_view account, std::string_view region, std::string_view name, uint64_t records,
                uint64_t bytes);

  // Records every stream's totals as of `now_ms` (ms since the epoch).
  void Sample(int64_t now_ms);

  // Totals since each stream's entry was made (for /metrics, docs/operations.md).
  struct StreamTotals {
    std::string account, region, name;
    uint64_t records_in = 0, bytes_in = 0, records_out = 0, bytes_out = 0;
  };
  // Every stream the meter holds (those with traffic in about the last minute
  // or whose counters a thread still caches), sorted by account, region, name.
  std::vector<StreamTotals> Totals() const;

  // The intervals of every stream of `account` in `region` the meter holds
  // (those with traffic in about the last minute), sorted by name.
  std::vector<StreamRates> Rates(std::string_view account, std::string_view region) const;

 private:
  enum Counter { kRecordsIn, kBytesIn, kRecordsOut, kBytesOut, kCounters };
  struct Snapshot {
    int64_t ms = 0;
    std::array<uint64_t, kCounters> totals{};
  };
  struct Entry {
    std::string account, region, name;
    std::array<std::atomic<uint64_t>, kCounters> totals{};
    std::deque<Snapshot> history;  // guarded by TrafficMeter::mu_
  };

  void Add(std::string_view account, std::string_view region, std::string_view name, Counter records_counter,
           uint64_t records, uint64_t bytes);
  // The entry of a stream, created when missing. Takes mu_.
  std::shared_ptr<Entry> FindOrCreate(std::string_view account, std::string_view region, std::string_view name);

  const uint64_t id_;                 // tells this meter's thread caches from another's
  std::atomic<uint64_t> epoch_{0};    // a change makes threads drop their caches
  int64_t last_flush_ms_ = 0;         // guarded by mu_
  int64_t last_sample_ms_;            // guarded by mu_
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;  // guarded by mu_
};

}  // namespace riffle::handlers
