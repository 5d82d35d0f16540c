// TrafficMeter: each stream's metrics with the names and meaning of Kinesis's
// CloudWatch stream metrics (for /metrics, docs/operations.md), and how many
// records and bytes went into and out of it in each second of the last
// minute, for the web console (GET /console/api/rates, net/console_router.h).
//
// Counted by the handlers: PutRecord and PutRecords count what was stored
// (in), GetRecords and SubscribeToShard what they hand out (out), each its
// calls, latency and throttling. Bytes are data plus partition key, as
// Kinesis meters a record's size.
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
#include <chrono>
#include <cstdint>
#include <deque>
#include <initializer_list>
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

  // The metrics of a stream. Counters, but for the two marked gauges (the
  // last value counted); latencies are sums of microseconds over the calls
  // their operation's Success counts. The first four make the console's rates.
  enum Metric : uint8_t {
    kIncomingRecords, kIncomingBytes, kOutgoingRecords, kOutgoingBytes,
    kPutRecordSuccess, kPutRecordBytes, kPutRecordLatencyUs,
    kPutRecordsSuccess, kPutRecordsBytes, kPutRecordsTotalRecords, kPutRecordsSuccessfulRecords,
    kPutRecordsFailedRecords, kPutRecordsThrottledRecords, kPutRecordsLatencyUs,
    kGetRecordsSuccess, kGetRecordsBytes, kGetRecordsRecords, kGetRecordsLatencyUs,
    kGetRecordsIteratorAgeMs,  // gauge
    kWriteProvisionedThroughputExceeded, kReadProvisionedThroughputExceeded,
    kSubscribeToShardSuccess, kSubscribeToShardRateExceeded,
    kSubscribeToShardEventSuccess, kSubscribeToShardEventBytes, kSubscribeToShardEventRecords,
    kSubscribeToShardEventMillisBehindLatest,  // gauge
    kMetrics
  };
  static constexpr bool IsGauge(Metric m) {
    return m == kGetRecordsIteratorAgeMs || m == kSubscribeToShardEventMillisBehindLatest;
  }
  struct Amount {
    Metric metric;
    uint64_t value;
  };
  // Microseconds from `start` to now, for the latency sums.
  static uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
  }

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
  // Adds each amount to its counter (sets a gauge) of stream `name`.
  void Count(std::string_view account, std::string_view region, std::string_view name,
             std::initializer_list<Amount> amounts) {
    CountShard(account, region, name, {}, amounts);
  }
  // The same for one shard of the stream (`shard_id` "shardId-..."; empty:
  // the stream itself). A shard counts the metrics Kinesis has per shard
  // (Incoming*, Outgoing*, GetRecords.IteratorAgeMilliseconds as
  // IteratorAgeMilliseconds, *ProvisionedThroughputExceeded); /metrics shows
  // those its stream enabled with EnableEnhancedMonitoring.
  void CountShard(std::string_view account, std::string_view region, std::string_view name,
                  std::string_view shard_id, std::initializer_list<Amount> amounts);

  // Records every stream's totals as of `now_ms` (ms since the epoch).
  void Sample(int64_t now_ms);

  // Totals since each stream's entry was made (for /metrics, docs/operations.md).
  struct StreamTotals {
    std::string account, region, name;
    std::string shard;  // empty: the stream's own totals
    std::array<uint64_t, kMetrics> values{};
    uint64_t operator[](Metric m) const { return values[m]; }
  };
  // Every stream and shard the meter holds (those with traffic in about the
  // last minute or whose counters a thread still caches), sorted by account,
  // region, name, shard (a stream's own totals first).
  std::vector<StreamTotals> Totals() const;

  // The intervals of every stream of `account` in `region` the meter holds
  // (those with traffic in about the last minute, here or, in a cluster, on
  // another node), sorted by name. An interval is one between two samples of
  // this meter; what other nodes counted is added to the interval in which
  // their own interval ended.
  std::vector<StreamRates> Rates(std::string_view account, std::string_view region) const;

  // In a cluster, what each node counted reaches the other nodes' meters
  // (docs/storage-format.md, "Traffic reports"): after Sample(), the
  // interval just sampled of every stream with traffic in it, as reports of
  // at most `max_bytes` each (empty: nothing to tell).
  std::vector<std::string> IntervalReports(size_t max_bytes = 256 * 1024) const;
  // Adds another node's report to the rates; a report that does not decode
  // is ignored.
  void ApplyReport(std::string_view report);
  static constexpr uint8_t kReportKind = 0x02;

 private:
  static constexpr size_t kRateMetrics = 4;  // kIncomingRecords .. kOutgoingBytes
  struct Snapshot {
    int64_t ms = 0;
    std::array<uint64_t, kRateMetrics> totals{};
  };
  struct Entry {
    std::string account, region, name, shard;
    std::array<std::atomic<uint64_t>, kMetrics> totals{};
    std::deque<Snapshot> history;           // guarded by TrafficMeter::mu_
    std::array<uint64_t, kMetrics> last{};  // at the last sample; guarded by mu_
    size_t unchanged_samples = 0;           // since `last` changed; guarded by mu_
  };

  // The entry of a stream through the calling thread's cache.
  Entry& Cached(std::string_view account, std::string_view region, std::string_view name, std::string_view shard);
  // The entry of a stream or shard, created when missing. Takes mu_.
  std::shared_ptr<Entry> FindOrCreate(std::string_view account, std::string_view region, std::string_view name,
                                      std::string_view shard);

  // What another node counted in one of its intervals.
  struct PeerPoint {
    int64_t end_ms = 0;
    int64_t duration_ms = 0;
    std::array<uint64_t, kRateMetrics> counts{};
  };
  // The intervals of one stream from the other nodes, by end.
  struct PeerStream {
    std::string account, region, name;
    std::deque<PeerPoint> points;
  };

  const uint64_t id_;                 // tells this meter's thread caches from another's
  std::atomic<uint64_t> epoch_{0};    // a change makes threads drop their caches
  int64_t last_flush_ms_ = 0;         // guarded by mu_
  int64_t last_sample_ms_;            // guarded by mu_
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;  // guarded by mu_
  std::deque<int64_t> samples_;                                      // the last sample times; guarded by mu_
  std::unordered_map<std::string, PeerStream> peers_;  // by stream key (no shard); guarded by mu_
};

}  // namespace riffle::handlers
