// riffle-bench: load generator for any Kinesis endpoint (Riffle, kinesalite,
// kinesis-mock, or a plain HTTP server for the loopback ceiling).
//
//   riffle-bench put-record      --endpoint http://127.0.0.1:4567 --connections 32 --record-size 1024
//   riffle-bench put-records     --batch 500 --record-size 1024
//   riffle-bench get-records     --prefill-mib 64          (drains one pre-filled shard, again and again)
//   riffle-bench produce-consume --rate 1000               (put -> visible to a polling GetRecords)
//   riffle-bench produce-consume --via subscribe            (put -> pushed to a SubscribeToShard subscriber)
//
// Closed loop: every connection has exactly one request in flight (no
// pipelining); connections are spread over --threads threads, one io_context
// each. Every request is SigV4-signed for real; request bodies for the put
// scenarios come from a small pre-built pool per connection whose payload
// hashes are computed once (the signature itself is computed per request).
// Progress goes to stderr once per second; the summary to stdout (--json for
// a machine-readable line).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "client/connection.h"
#include "client/requests.h"
#include "client/sigv4.h"
#include "protocol/base64.h"
#include "subscriber.h"

namespace asio = boost::asio;
using namespace riffle::client;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string scenario;
  std::string endpoint = "http://127.0.0.1:4567";
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
};

int64_t NowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

// Per-thread counters: written by one thread, read by the progress reporter.
struct Counters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> consumed{0};
  std::atomic<uint64_t> subscriptions{0};  // produce-consume --via subscribe
  void Add(std::atomic<uint64_t>& c, uint64_t n) { c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
};

struct Worker {
  asio::io_context io{1};
  Counters counters;
  std::vector<int64_t> latencies_ns;     // per request (PutRecord/PutRecords/GetRecords)
  std::vector<int64_t> e2e_ns;           // produce-consume: put start -> seen by a consumer
  // produce-consume --via subscribe: (put start, put acknowledged) per put and
  // (put start, event received) per record, joined after the run on put start.
  std::vector<std::pair<int64_t, int64_t>> put_spans, seen_pairs;
  std::map<std::string, uint64_t> error_types;
  std::thread thread;
  Clock::time_point finished;  // when io.run() returned
};

struct Run {
  Options options;
  Endpoint endpoint;
  Credentials credentials;
  Clock::time_point start;
  Clock::time_point deadline;
  std::vector<std::string> shard_ids;
  std::vector<std::string> start_iterators;  // produce-consume: LATEST per shard, taken before producing
  std::string consumer_arn;                  // produce-consume --via subscribe
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<bool> stop{false};
};

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(rng() & 0xFF);
  return out;
}

std::string RandomKey(std::mt19937_64& rng) { return fmt::format("pk-{:016x}", rng()); }

void CountError(Worker& w, std::string type) {
  w.counters.Add(w.counters.errors, 1);
  if (type.empty()) type = "unknown";
  ++w.error_types[type];
}

std::string ResponseErrorType(const Response& r) {
  std::string type = ErrorType(r.body);
  return fmt::format("HTTP {} {}", r.status, type);
}

asio::awaitable<void> Sleep(asio::any_io_executor ex, Clock::duration d) {
  asio::steady_timer timer(ex);
  timer.expires_after(d);
  co_await timer.async_wait(asio::use_awaitable);
}

struct PreparedBody {
  std::string body;
  std::string hash;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

// put-record / put-records: closed loop over a pool of pre-built bodies.
asio::awaitable<void> RunPut(Run& run, Worker& w, int index) {
  const Options& o = run.options;
  auto ex = co_await asio::this_coro::executor;
  Connection connection(ex, run.endpoint, run.credentials);
  std::mt19937_64 rng(0x5eed + index);
  const bool batch = o.scenario == "put-records";
  const size_t body_estimate = (o.record_size * 4 / 3 + 48) * (batch ? o.batch : 1);
  size_t pool_size = std::clamp<size_t>((64u << 20) / std::max<size_t>(1, body_estimate * o.connections), 1, 16);
  std::vector<PreparedBody> pool(pool_size);
  for (PreparedBody& p : pool) {
    if (batch) {
      std::vector<std::string> keys, data;
      for (int i = 0; i < o.batch; ++i) {
        keys.push_back(RandomKey(rng));
        data.push_back(RandomBytes(rng, o.record_size));
      }
      std::vector<PutEntry> entries;
      for (int i = 0; i < o.batch; ++i) entries.push_back({keys[i], data[i]});
      p.body = PutRecordsBody(o.stream, entries);
      p.records = o.batch;
    } else {
      p.body = PutRecordBody(o.stream, RandomKey(rng), RandomBytes(rng, o.record_size));
      p.records = 1;
    }
    p.bytes = p.records * o.record_size;
    p.hash = Sha256Hex(p.body);
  }
  const char* op = batch ? "PutRecords" : "PutRecord";
  for (size_t i = 0; !run.stop.load(std::memory_order_relaxed) && Clock::now() < run.deadline; ++i) {
    const PreparedBody& p = pool[i % pool.size()];
    int64_t t0 = NowNs();
    bool failed_transport = false;
    try {
      co_await connection.Call(op, p.body, p.hash);
    } catch (const std::exception& e) {
      CountError(w, std::string("transport: ") + e.what());
      failed_transport = true;
    }
    if (failed_transport) {  // (no co_await inside a handler)
      co_await Sleep(ex, std::chrono::milliseconds(10));
      continue;
    }
    int64_t t1 = NowNs();
    const Response& r = connection.response();
    if (r.status != 200) {
      CountError(w, ResponseErrorType(r));
      continue;
    }
    uint64_t failed = 0;
    if (batch && !o.no_setup) failed = static_cast<uint64_t>(ParseFailedRecordCount(r.body).value_or(p.records));
    if (failed > 0) {
      w.counters.Add(w.counters.errors, failed);
      w.error_types["PutRecords FailedRecordCount (records)"] += failed;
    }
    w.latencies_ns.push_back(t1 - t0);
    w.counters.Add(w.counters.requests, 1);
    w.counters.Add(w.counters.records, p.records - failed);
    w.counters.Add(w.counters.bytes, (p.records - failed) * o.record_size);
  }
}

asio::awaitable<std::string> TrimHorizon(Run& run, Connection& c, const std::string& shard_id) {
  std::string body = GetShardIteratorBody(run.options.stream, shard_id, "TRIM_HORIZON");
  co_await c.Call("GetShardIterator", body);
  if (c.response().status != 200) throw std::runtime_error(ResponseErrorType(c.response()));
  auto it = ParseShardIterator(c.response().body);
  if (!it) throw std::runtime_error("GetShardIterator: unreadable response");
  co_return *it;
}

// get-records: drain the shard from TRIM_HORIZON to the tip, then start over.
asio::awaitable<void> RunGet(Run& run, Worker& w, int index) {
  const Options& o = run.options;
  auto ex = co_await asio::this_coro::executor;
  Connection connection(ex, run.endpoint, run.credentials);
  const std::string& shard = run.shard_ids[index % run.shard_ids.size()];
  std::string iterator;
  while (!run.stop.load(std::memory_order_relaxed) && Clock::now() < run.deadline) {
    bool backoff = false;
    try {
      if (iterator.empty()) iterator = co_await TrimHorizon(run, connection, shard);
      std::string body = GetRecordsBody(iterator, o.limit);
      int64_t t0 = NowNs();
      co_await connection.Call("GetRecords", body);
      int64_t t1 = NowNs();
      const Response& r = connection.response();
      if (r.status != 200) {
        CountError(w, ResponseErrorType(r));
        iterator.clear();
        continue;
      }
      auto page = ParseGetRecords(r.body);
      if (!page) {
        CountError(w, "GetRecords: unreadable response");
        iterator.clear();
        continue;
      }
      w.latencies_ns.push_back(t1 - t0);
      w.counters.Add(w.counters.requests, 1);
      w.counters.Add(w.counters.records, page->records);
      w.counters.Add(w.counters.bytes, page->data_bytes);
      if (page->records == 0 || !page->next_shard_iterator) {
        iterator.clear();  // at the tip: start over
      } else {
        iterator = std::move(*page->next_shard_iterator);
      }
    } catch (const std::exception& e) {
      CountError(w, std::string("transport: ") + e.what());
      iterator.clear();
      backoff = true;
    }
    if (backoff) co_await Sleep(ex, std::chrono::milliseconds(10));
  }
}

// produce-consume producer: PutRecord at rate/connections per second, each
// record carrying its send time (steady clock ns) in its first 8 bytes.
asio::awaitable<void> RunProducer(Run& run, Worker& w, int index) {
  const Options& o = run.options;
  auto ex = co_await asio::this_coro::executor;
  Connection connection(ex, run.endpoint, run.credentials);
  std::mt19937_64 rng(0xfeed + index);
  std::vector<std::string> keys;
  for (int i = 0; i < 64; ++i) keys.push_back(RandomKey(rng));
  std::string data = RandomBytes(rng, std::max<size_t>(o.record_size, 9));
  const auto interval = std::chrono::nanoseconds(static_cast<int64_t>(1e9 * o.connections / std::max(o.rate, 0.001)));
  auto next = run.start + interval * index / o.connections;
  for (size_t i = 0; !run.stop.load(std::memory_order_relaxed); ++i) {
    // Open loop while the server keeps up; when it does not, sends back to
    // back (one in flight per connection) until the deadline.
    if (next >= run.deadline || Clock::now() >= run.deadline) break;
    if (next > Clock::now()) co_await Sleep(ex, next - Clock::now());
    next += interval;
    int64_t t0 = NowNs();
    std::memcpy(data.data(), &t0, sizeof(t0));
    std::string body = PutRecordBody(o.stream, keys[i % keys.size()], data);
    try {
      co_await connection.Call("PutRecord", body);
    } catch (const std::exception& e) {
      CountError(w, std::string("transport: ") + e.what());
      continue;
    }
    int64_t t1 = NowNs();
    if (connection.response().status != 200) {
      CountError(w, ResponseErrorType(connection.response()));
      continue;
    }
    w.latencies_ns.push_back(t1 - t0);
    if (o.via == "subscribe") w.put_spans.emplace_back(t0, t1);
    w.counters.Add(w.counters.requests, 1);
    w.counters.Add(w.counters.records, 1);
    w.counters.Add(w.counters.bytes, data.size());
  }
}

// produce-consume consumer: polls one shard from a LATEST iterator taken
// before producing started; sleeps --poll-ms only after an empty page.
asio::awaitable<void> RunConsumer(Run& run, Worker& w, int shard) {
  const Options& o = run.options;
  auto ex = co_await asio::this_coro::executor;
  Connection connection(ex, run.endpoint, run.credentials);
  std::string iterator = run.start_iterators[shard];
  const auto stop_at = run.deadline + std::chrono::seconds(2);  // let the last puts arrive
  while (!run.stop.load(std::memory_order_relaxed) && Clock::now() < stop_at && !iterator.empty()) {
    bool backoff = false;
    try {
      std::string request = GetRecordsBody(iterator, o.limit);
      co_await connection.Call("GetRecords", request);
      int64_t seen = NowNs();
      const Response& r = connection.response();
      if (r.status != 200) {
        CountError(w, "consumer " + ResponseErrorType(r));
        co_await Sleep(ex, std::chrono::milliseconds(std::max(o.poll_ms, 1)));
        continue;
      }
      size_t n = 0;
      auto page = ParseGetRecords(r.body, [&](std::string_view data, std::string_view) {
        if (data.size() < 12) return;
        auto head = riffle::protocol::Base64Decode(data.substr(0, 12));
        if (!head || head->size() < 8) return;
        int64_t sent = 0;
        std::memcpy(&sent, head->data(), sizeof(sent));
        w.e2e_ns.push_back(seen - sent);
        ++n;
      });
      if (!page) {
        CountError(w, "consumer: unreadable GetRecords response");
        continue;
      }
      w.counters.Add(w.counters.consumed, n);
      iterator = page->next_shard_iterator.value_or("");
      if (page->records == 0 && o.poll_ms > 0) co_await Sleep(ex, std::chrono::milliseconds(o.poll_ms));
    } catch (const std::exception& e) {
      CountError(w, std::string("consumer transport: ") + e.what());
      backoff = true;
    }
    if (backoff) co_await Sleep(ex, std::chrono::milliseconds(10));
  }
}

// ---- setup -------------------------------------------------------------------

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "riffle-bench: %s\n", message.c_str());
  std::exit(2);
}

Response MustCall(SyncClient& client, std::string_view op, std::string_view body) {
  auto r = client.Call(op, body);
  if (!r.ok()) Die(r.status().message());
  return *r;
}

void Setup(Run& run) {
  const Options& o = run.options;
  SyncClient client(run.endpoint, run.credentials);
  Response created = MustCall(client, "CreateStream", CreateStreamBody(o.stream, o.shards));
  if (created.status != 200 && ErrorType(created.body).find("ResourceInUse") == std::string::npos) {
    Die("CreateStream: HTTP " + std::to_string(created.status) + " " + created.body);
  }
  auto give_up = Clock::now() + std::chrono::seconds(60);
  std::string stream_arn;
  for (;;) {
    Response r = MustCall(client, "DescribeStream", DescribeStreamBody(o.stream));
    auto d = ParseDescribeStream(r.body);
    if (r.status == 200 && d && d->status == "ACTIVE") {
      run.shard_ids = d->shard_ids;
      stream_arn = d->arn;
      break;
    }
    if (Clock::now() > give_up) Die("stream did not become ACTIVE: " + r.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (run.shard_ids.empty()) Die("stream has no shards");

  if (o.scenario == "get-records") {
    // Prefill: PutRecords of up to 500 records until prefill_mib of data.
    uint64_t target = static_cast<uint64_t>(o.prefill_mib * 1024 * 1024);
    std::mt19937_64 rng(42);
    size_t per_batch = std::clamp<size_t>((4u << 20) / std::max<size_t>(o.record_size, 1), 1, 500);
    std::string data = RandomBytes(rng, o.record_size);
    std::vector<std::string> keys;
    for (size_t i = 0; i < per_batch; ++i) keys.push_back(RandomKey(rng));
    std::vector<PutEntry> entries;
    for (size_t i = 0; i < per_batch; ++i) entries.push_back({keys[i], data});
    std::string body = PutRecordsBody(o.stream, entries);
    auto t0 = Clock::now();
    uint64_t done = 0;
    while (done < target) {
      if (Clock::now() - t0 > std::chrono::seconds(o.prefill_seconds)) {
        std::fprintf(stderr, "prefill: stopped after %d s (slow server); reading what is there\n", o.prefill_seconds);
        break;
      }
      Response r = MustCall(client, "PutRecords", body);
      if (r.status != 200) Die("prefill PutRecords: HTTP " + std::to_string(r.status) + " " + r.body);
      int64_t failed = ParseFailedRecordCount(r.body).value_or(0);
      done += (per_batch - failed) * o.record_size;
      if (failed > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::fprintf(stderr, "prefill: %.1f MiB in %.1f s (%.1f MiB/s)\n", done / 1048576.0, secs, done / 1048576.0 / secs);
  }
  if (o.scenario == "produce-consume" && o.via == "subscribe") {
    auto arn = riffle::bench::RegisterConsumer(client, stream_arn, fmt::format("riffle-bench-{}", getpid()));
    if (!arn.ok()) Die(arn.status().message());
    run.consumer_arn = *arn;
  } else if (o.scenario == "produce-consume") {
    for (const std::string& shard : run.shard_ids) {
      Response r = MustCall(client, "GetShardIterator", GetShardIteratorBody(o.stream, shard, "LATEST"));
      auto it = ParseShardIterator(r.body);
      if (r.status != 200 || !it) Die("GetShardIterator LATEST: " + r.body);
      run.start_iterators.push_back(*it);
    }
  }
}

void Teardown(Run& run) {
  if (run.options.no_setup || run.options.keep_stream) return;
  SyncClient client(run.endpoint, run.credentials);
  auto r = client.Call("DeleteStream", DeleteStreamBody(run.options.stream));
  if (!r.ok()) std::fprintf(stderr, "riffle-bench: DeleteStream: %s\n", r.status().message().c_str());
}

// ---- report ------------------------------------------------------------------

struct Percentiles {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;  // ms
  size_t count = 0;
};

Percentiles Compute(std::vector<int64_t>& v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(std::ceil(q * v.size())) - 1;
    return v[std::min(i, v.size() - 1)] / 1e6;
  };
  p.p50 = at(0.5);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = v.back() / 1e6;
  return p;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"riffle-bench: Kinesis API load generator"};
  app.add_option("scenario", o.scenario, "put-record | put-records | get-records | produce-consume")
      ->required()
      ->check(CLI::IsMember({"put-record", "put-records", "get-records", "produce-consume"}));
  app.add_option("--endpoint", o.endpoint, "http://host:port")->capture_default_str();
  app.add_option("--connections,-c", o.connections, "concurrent connections (one request in flight each)")
      ->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--threads,-t", o.threads, "client threads (default: min(connections, cores))");
  app.add_option("--shards,-s", o.shards, "shards of the benchmark stream")->capture_default_str()->check(CLI::Range(1, 500));
  app.add_option("--duration,-d", o.duration, "seconds of measurement")->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  app.add_option("--record-size", o.record_size, "bytes of data per record")->capture_default_str()->check(CLI::Range(1, 1048576));
  app.add_option("--batch", o.batch, "records per PutRecords")->capture_default_str()->check(CLI::Range(1, 500));
  app.add_option("--rate", o.rate, "produce-consume: records per second, all producers together")->capture_default_str();
  app.add_option("--prefill-mib", o.prefill_mib, "get-records: MiB put into the stream before measuring")->capture_default_str();
  app.add_option("--prefill-seconds", o.prefill_seconds, "get-records: stop prefilling after this long")
      ->capture_default_str();
  app.add_option("--limit", o.limit, "GetRecords Limit")->capture_default_str()->check(CLI::Range(1, 10000));
  app.add_option("--poll-ms", o.poll_ms, "produce-consume: consumer sleep after an empty page")->capture_default_str();
  app.add_option("--via", o.via,
                 "produce-consume: how consumers read: polling GetRecords, or a SubscribeToShard subscription per "
                 "shard (one registered consumer)")
      ->capture_default_str()
      ->check(CLI::IsMember({"get-records", "subscribe"}));
  app.add_option("--stream", o.stream, "stream name (default riffle-bench-<scenario>-<pid>)");
  app.add_option("--region", o.region, "region of the SigV4 scope")->capture_default_str();
  app.add_option("--label", o.label, "name of the server, echoed in --json output");
  app.add_flag("--json", o.json, "print the summary as one JSON object on stdout");
  app.add_flag("--no-setup", o.no_setup, "do not create/describe/delete a stream (plain HTTP servers; put scenarios only)");
  app.add_flag("--keep-stream", o.keep_stream, "do not delete the stream at the end");
  CLI11_PARSE(app, argc, argv);

  if (o.via != "get-records" && o.scenario != "produce-consume") Die("--via only applies to produce-consume");
  if (o.no_setup && (o.scenario == "get-records" || o.scenario == "produce-consume")) {
    Die("--no-setup only works with put-record and put-records");
  }
  if (o.stream.empty()) o.stream = fmt::format("riffle-bench-{}-{}", o.scenario, getpid());
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (o.threads <= 0) o.threads = static_cast<int>(std::min<unsigned>(o.connections, cores));
  std::signal(SIGPIPE, SIG_IGN);

  Run run;
  run.options = o;
  auto endpoint = ParseEndpoint(o.endpoint);
  if (!endpoint.ok()) Die(endpoint.status().message());
  run.endpoint = *endpoint;
  run.credentials.region = o.region;
  if (!o.no_setup) Setup(run);

  for (int t = 0; t < o.threads; ++t) run.workers.push_back(std::make_unique<Worker>());
  const bool subscribe = o.scenario == "produce-consume" && o.via == "subscribe";
  // Subscribers start at once; producers 1 s later, so that every LATEST
  // subscription is in place before the first record.
  run.start = Clock::now() + (subscribe ? std::chrono::seconds(1) : std::chrono::seconds(0));
  run.deadline = run.start + std::chrono::nanoseconds(static_cast<int64_t>(o.duration * 1e9));
  auto spawn = [&](int worker, auto coroutine) {
    asio::co_spawn(run.workers[worker]->io, std::move(coroutine), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::fprintf(stderr, "riffle-bench: connection failed: %s\n", ex.what());
        }
      }
    });
  };
  for (int c = 0; c < o.connections; ++c) {
    Worker& w = *run.workers[c % o.threads];
    if (o.scenario == "put-record" || o.scenario == "put-records") spawn(c % o.threads, RunPut(run, w, c));
    if (o.scenario == "get-records") spawn(c % o.threads, RunGet(run, w, c));
    if (o.scenario == "produce-consume") spawn(c % o.threads, RunProducer(run, w, c));
  }
  if (o.scenario == "produce-consume") {
    for (size_t s = 0; s < run.shard_ids.size(); ++s) {
      int t = static_cast<int>((o.connections + s) % o.threads);
      Worker& w = *run.workers[t];
      if (!subscribe) {
        spawn(t, RunConsumer(run, w, static_cast<int>(s)));
        continue;
      }
      riffle::bench::SubscriberConfig config{run.endpoint, run.credentials, run.consumer_arn, run.shard_ids[s],
                                             run.deadline + std::chrono::seconds(2), &run.stop};
      riffle::bench::SubscriberHooks hooks;
      hooks.on_record = [&w](int64_t sent, int64_t seen) {
        w.e2e_ns.push_back(seen - sent);
        w.seen_pairs.emplace_back(sent, seen);
        w.counters.Add(w.counters.consumed, 1);
      };
      hooks.on_error = [&w](std::string type) { CountError(w, "consumer " + type); };
      hooks.on_subscribe = [&w] { w.counters.Add(w.counters.subscriptions, 1); };
      spawn(t, riffle::bench::RunSubscriber(std::move(config), std::move(hooks)));
    }
  }
  for (auto& w : run.workers) {
    Worker* worker = w.get();
    worker->thread = std::thread([worker] {
      worker->io.run();
      worker->finished = Clock::now();
    });
  }

  // Progress once a second; a watchdog stops everything 30 s after the deadline.
  auto total = [&](std::atomic<uint64_t> Counters::*field) {
    uint64_t sum = 0;
    for (auto& w : run.workers) sum += ((w->counters).*field).load(std::memory_order_relaxed);
    return sum;
  };
  uint64_t last_requests = 0, last_bytes = 0, last_records = 0;
  auto last = run.start;
  for (;;) {
    bool busy = false;
    for (auto& w : run.workers) busy |= !w->io.stopped();
    if (!busy) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = Clock::now();
    if (now - last >= std::chrono::seconds(1)) {
      double dt = std::chrono::duration<double>(now - last).count();
      uint64_t req = total(&Counters::requests), bytes = total(&Counters::bytes), recs = total(&Counters::records);
      std::fprintf(stderr, "[%5.1fs] %9.0f req/s %10.0f rec/s %8.1f MiB/s  errors %llu%s\n",
                   std::chrono::duration<double>(now - run.start).count(), (req - last_requests) / dt,
                   (recs - last_records) / dt, (bytes - last_bytes) / dt / 1048576.0,
                   static_cast<unsigned long long>(total(&Counters::errors)),
                   o.scenario == "produce-consume"
                       ? fmt::format("  consumed {}", total(&Counters::consumed)).c_str()
                       : "");
      last_requests = req, last_bytes = bytes, last_records = recs, last = now;
    }
    if (now > run.deadline + std::chrono::seconds(30)) {
      std::fprintf(stderr, "riffle-bench: watchdog: stopping requests still in flight 30 s after the end\n");
      run.stop = true;
      for (auto& w : run.workers) w->io.stop();
    }
  }
  for (auto& w : run.workers) w->thread.join();
  // Requests in flight at the deadline finish and are counted, so rates divide
  // by the time until the last one finished (not the nominal duration).
  // produce-consume: producers stop at the deadline; consumers linger 2 s more.
  Clock::time_point last_done = run.start;
  for (auto& w : run.workers) last_done = std::max(last_done, w->finished);
  double elapsed = std::chrono::duration<double>(last_done - run.start).count();
  if (o.scenario == "produce-consume") elapsed = std::min(elapsed, o.duration);

  std::vector<int64_t> latencies, e2e;
  std::map<std::string, uint64_t> error_types;
  for (auto& w : run.workers) {
    latencies.insert(latencies.end(), w->latencies_ns.begin(), w->latencies_ns.end());
    e2e.insert(e2e.end(), w->e2e_ns.begin(), w->e2e_ns.end());
    for (auto& [k, v] : w->error_types) error_types[k] += v;
  }
  uint64_t requests = total(&Counters::requests), records = total(&Counters::records), bytes = total(&Counters::bytes),
           errors = total(&Counters::errors), consumed = total(&Counters::consumed),
           subscriptions = total(&Counters::subscriptions);
  // The JSON names the measurement: produce-consume --via subscribe reports as
  // "produce-subscribe" so that bench/report.py keeps the two apart.
  const std::string measured = subscribe ? "produce-subscribe" : o.scenario;
  Percentiles lat = Compute(latencies);
  Percentiles end_to_end = Compute(e2e);
  // Where the put -> event time goes: the put itself (until its response) and
  // the push after it. ack -> event is negative when the event overtook the
  // put's response.
  std::vector<int64_t> ack_to_event;
  if (subscribe) {
    std::unordered_map<int64_t, int64_t> acked;
    for (auto& w : run.workers) acked.insert(w->put_spans.begin(), w->put_spans.end());
    for (auto& w : run.workers) {
      for (auto [sent, seen] : w->seen_pairs) {
        auto it = acked.find(sent);
        if (it != acked.end()) ack_to_event.push_back(seen - it->second);
      }
    }
  }
  Percentiles push = Compute(ack_to_event);
  Teardown(run);

  double rps = requests / elapsed, recps = records / elapsed, mibps = bytes / elapsed / 1048576.0;
  if (o.json) {
    std::string errs;
    for (auto& [k, v] : error_types) errs += fmt::format("{}\"{}\":{}", errs.empty() ? "" : ",", JsonEscape(k), v);
    auto pct = [](const Percentiles& p) {
      return fmt::format("{{\"count\":{},\"p50\":{:.3f},\"p99\":{:.3f},\"p999\":{:.3f},\"max\":{:.3f}}}", p.count, p.p50,
                         p.p99, p.p999, p.max);
    };
    std::printf(
        "{\"label\":\"%s\",\"scenario\":\"%s\",\"endpoint\":\"%s\",\"connections\":%d,\"threads\":%d,\"shards\":%d,"
        "\"duration_s\":%.3f,\"record_size\":%zu,\"batch\":%d,\"rate\":%.1f,\"requests\":%llu,\"records\":%llu,"
        "\"bytes\":%llu,\"errors\":%llu,\"consumed\":%llu,\"requests_per_s\":%.1f,\"records_per_s\":%.1f,"
        "\"mib_per_s\":%.2f,\"latency_ms\":%s,\"e2e_latency_ms\":%s,\"error_types\":{%s}%s}\n",
        JsonEscape(o.label).c_str(), measured.c_str(), JsonEscape(o.endpoint).c_str(), o.connections, o.threads,
        o.no_setup ? 0 : o.shards, elapsed, o.record_size, o.scenario == "put-records" ? o.batch : 1, o.rate,
        (unsigned long long)requests, (unsigned long long)records, (unsigned long long)bytes,
        (unsigned long long)errors, (unsigned long long)consumed, rps, recps, mibps, pct(lat).c_str(),
        pct(end_to_end).c_str(), errs.c_str(),
        subscribe ? fmt::format(",\"via\":\"subscribe\",\"subscriptions\":{},\"ack_to_event_ms\":{}", subscriptions,
                                pct(push))
                        .c_str()
                  : "");
  } else {
    std::printf("%s against %s: %d connections on %d threads, %d shards, %.1f s, %zu-byte records%s\n",
                o.scenario.c_str(), o.endpoint.c_str(), o.connections, o.threads, o.shards, elapsed, o.record_size,
                o.scenario == "put-records" ? fmt::format(", {} per request", o.batch).c_str() : "");
    std::printf("  requests  %12llu  %12.1f req/s\n", (unsigned long long)requests, rps);
    std::printf("  records   %12llu  %12.1f rec/s\n", (unsigned long long)records, recps);
    std::printf("  payload   %12.1f MiB %10.2f MiB/s\n", bytes / 1048576.0, mibps);
    std::printf("  errors    %12llu\n", (unsigned long long)errors);
    for (auto& [k, v] : error_types) std::printf("    %8llu  %s\n", (unsigned long long)v, k.c_str());
    std::printf("  latency ms  p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%zu requests)\n", lat.p50, lat.p99, lat.p999,
                lat.max, lat.count);
    if (o.scenario == "produce-consume") {
      std::printf("  consumed  %12llu records\n", (unsigned long long)consumed);
      if (subscribe) std::printf("  subscriptions %8llu\n", (unsigned long long)subscriptions);
      std::printf(subscribe ? "  put->event ms    p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%zu records)\n"
                            : "  put->visible ms  p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%zu records)\n",
                  end_to_end.p50, end_to_end.p99, end_to_end.p999, end_to_end.max, end_to_end.count);
      if (subscribe) {
        std::printf("  ack->event ms    p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%zu records; < 0: event before "
                    "the put's response)\n",
                    push.p50, push.p99, push.p999, push.max, push.count);
      }
    }
  }
  return 0;
}
