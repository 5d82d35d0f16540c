// What riffle-bench's scenarios share: the options, one Run, and its Lanes.
// A lane is one closed loop (one request in flight at a time) or one
// consumer; its requests go through the one libriffle-kinesis Client of the
// run, and its completions run on the client's I/O threads (one at a time
// per lane). Waits (a producer's rate, a consumer's poll interval) run on
// the run's timer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <riffle/kinesis/client.h>

namespace riffle::bench {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string scenario;
  std::string endpoint = "http://127.0.0.1:4567";
  std::string read_endpoint;  // produce-consume: where consumers read (empty: endpoint)
  std::string label;
  std::string stream;
  std::string region = "us-east-1";
  int connections = 8;
  int threads = 0;
  int shards = 1;
  double duration = 10;
  size_t record_size = 1024;
  int batch = 500;
  double rate = 1000;
  double prefill_mib = 64;
  int prefill_seconds = 120;
  int limit = 10000;
  int poll_ms = 1;
  bool json = false;
  bool no_setup = false;
  bool keep_stream = false;
  std::string via = "get-records";  // produce-consume: get-records | subscribe
  int consumers = 1;                  // produce-consume --via subscribe: registered consumers
};

int64_t NowNs();

// Counters of one lane: written by it, read by the progress reporter.
struct Counters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> consumed{0};
  std::atomic<uint64_t> subscriptions{0};  // produce-consume --via subscribe
  static void Add(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }
};

struct Lane {
  Counters counters;
  std::vector<int64_t> latencies_ns;  // per request (PutRecord/PutRecords/GetRecords)
  std::vector<int64_t> e2e_ns;        // produce-consume: put start -> seen by a consumer
  // produce-consume --via subscribe: (put start, put acknowledged) per put and
  // (put start, event received) per record, joined after the run on put start.
  std::vector<std::pair<int64_t, int64_t>> put_spans, seen_pairs;
  std::mutex errors_mutex;
  std::map<std::string, uint64_t> error_types;  // guarded by errors_mutex
  Clock::time_point finished;
};

struct Run {
  Options options;
  std::shared_ptr<kinesis::Client> client;
  std::shared_ptr<kinesis::Client> read_client;  // produce-consume consumers (client unless --read-endpoint)
  Clock::time_point start;
  Clock::time_point deadline;
  std::vector<std::string> shard_ids;
  std::vector<std::string> start_iterators;  // produce-consume: LATEST per shard, taken before producing
  std::vector<std::string> consumer_arns;    // produce-consume --via subscribe
  std::vector<std::unique_ptr<Lane>> lanes;
  std::atomic<bool> stop{false};
  // Timers of the lanes that wait.
  boost::asio::io_context timers{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> timers_work{timers.get_executor()};
  std::thread timer_thread;
  // Lanes still running; LaneFinished counts them down.
  std::mutex mutex;
  std::condition_variable all_done;
  int running = 0;

  Lane& NewLane();
  void LaneStarted();
  void LaneFinished(Lane& lane);
  bool Stopping() const { return stop.load(std::memory_order_relaxed); }
};

void CountError(Lane& lane, std::string type);
// "HTTP 400 ProvisionedThroughputExceededException", or "transport: <why>".
std::string ErrorLabel(const kinesis::Error& error);

// The scenarios' lanes (bench_lanes.cc). Each starts at once and calls
// run.LaneFinished when it is done.
void StartPutLane(Run& run, Lane& lane, int index);       // put-record, put-records
void StartGetLane(Run& run, Lane& lane, int index);       // get-records
void StartProducerLane(Run& run, Lane& lane, int index);  // produce-consume
void StartConsumerLane(Run& run, Lane& lane, int shard);  // produce-consume --via get-records

}  // namespace riffle::bench
