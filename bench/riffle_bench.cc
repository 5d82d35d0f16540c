// riffle-bench: load generator for any Kinesis endpoint (Riffle, kinesalite,
// kinesis-mock, or a plain HTTP server for the loopback ceiling).
//
//   riffle-bench put-record      --endpoint http://127.0.0.1:4567 --connections 32 --record-size 1024
//   riffle-bench put-records     --batch 500 --record-size 1024
//   riffle-bench get-records     --prefill-mib 64          (drains one pre-filled shard, again and again)
//   riffle-bench produce-consume --rate 1000               (put -> visible to a polling GetRecords)
//   riffle-bench produce-consume --via subscribe            (put -> pushed to a SubscribeToShard subscriber)
//   riffle-bench produce-consume --via subscribe --consumers 20   (fan-out: every consumer subscribes to every shard)
//
// All requests go through one libriffle-kinesis Client (src/client): its
// keep-alive connection pool, real SigV4 signatures, no retries (errors are
// counted). Closed loop: every --connections lane has exactly one request in
// flight (no pipelining); the client runs --threads I/O threads. Request
// bodies for the put scenarios come from a small pre-built pool per lane
// whose payload hashes are computed once (the signature itself is computed
// per request). Progress goes to stderr once per second; the summary to
// stdout (--json for a machine-readable line).
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
#include <fmt/format.h>
#include <riffle/kinesis/kinesis.h>

#include "bench_run.h"
#include "subscriber.h"

namespace kinesis = riffle::kinesis;
using namespace riffle::bench;

namespace riffle::bench {

int64_t NowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

Lane& Run::NewLane() {
  lanes.push_back(std::make_unique<Lane>());
  return *lanes.back();
}

void Run::LaneStarted() {
  std::lock_guard lock(mutex);
  ++running;
}

void Run::LaneFinished(Lane& lane) {
  lane.finished = Clock::now();
  std::lock_guard lock(mutex);
  if (--running == 0) all_done.notify_all();
}

void CountError(Lane& lane, std::string type) {
  Counters::Add(lane.counters.errors, 1);
  if (type.empty()) type = "unknown";
  std::lock_guard lock(lane.errors_mutex);
  ++lane.error_types[type];
}

std::string ErrorLabel(const kinesis::Error& error) {
  if (error.http_status() == 0) return "transport: " + error.message();
  return fmt::format("HTTP {} {}", error.http_status(), error.type());
}

}  // namespace riffle::bench

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "riffle-bench: %s\n", message.c_str());
  std::exit(2);
}

template <typename T>
T Must(kinesis::Result<T> result, const char* what) {
  if (!result.ok()) Die(std::string(what) + ": " + result.error().ToString());
  return std::move(result).value();
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(rng() & 0xFF);
  return out;
}

void Setup(Run& run) {
  const Options& o = run.options;
  kinesis::Client& client = *run.client;
  auto created = client.CreateStream({.StreamName = o.stream, .ShardCount = o.shards});
  if (!created.ok() && created.error().code() != kinesis::ErrorCode::kResourceInUse) {
    Die("CreateStream: " + created.error().ToString());
  }
  auto give_up = Clock::now() + std::chrono::seconds(60);
  std::string stream_arn;
  for (;;) {
    auto d = Must(client.DescribeStreamSummary({.StreamName = o.stream}), "DescribeStreamSummary");
    if (d.StreamDescriptionSummary && d.StreamDescriptionSummary->StreamStatus == "ACTIVE") {
      stream_arn = d.StreamDescriptionSummary->StreamARN.value_or("");
      break;
    }
    if (Clock::now() > give_up) Die("stream did not become ACTIVE");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kinesis::Paginator<kinesis::ops::ListShards> pages(client, {.StreamName = o.stream});
  while (pages.HasMorePages()) {
    auto page = Must(pages.NextPage(), "ListShards");
    for (const auto& shard : page.Shards.value_or(std::vector<kinesis::Shard>{})) {
      run.shard_ids.push_back(shard.ShardId.value_or(""));
    }
  }
  if (run.shard_ids.empty()) Die("stream has no shards");

  if (o.scenario == "get-records") {
    // Prefill: PutRecords of up to 500 records until prefill_mib of data.
    uint64_t target = static_cast<uint64_t>(o.prefill_mib * 1024 * 1024);
    std::mt19937_64 rng(42);
    size_t per_batch = std::clamp<size_t>((4u << 20) / std::max<size_t>(o.record_size, 1), 1, 500);
    std::string data = RandomBytes(rng, o.record_size);
    kinesis::PutRecordsInput put;
    put.StreamName = o.stream;
    auto& records = put.Records.emplace();
    for (size_t i = 0; i < per_batch; ++i) {
      records.push_back({.Data = data, .PartitionKey = fmt::format("pk-{:016x}", rng())});
    }
    auto t0 = Clock::now();
    uint64_t done = 0;
    while (done < target) {
      if (Clock::now() - t0 > std::chrono::seconds(o.prefill_seconds)) {
        std::fprintf(stderr, "prefill: stopped after %d s (slow server); reading what is there\n", o.prefill_seconds);
        break;
      }
      auto r = Must(client.PutRecords(put), "prefill PutRecords");
      int64_t failed = r.FailedRecordCount.value_or(0);
      done += (per_batch - failed) * o.record_size;
      if (failed > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::fprintf(stderr, "prefill: %.1f MiB in %.1f s (%.1f MiB/s)\n", done / 1048576.0, secs, done / 1048576.0 / secs);
  }
  if (o.scenario == "produce-consume" && o.via == "subscribe") {
    for (int c = 0; c < o.consumers; ++c) {
      const std::string name = o.consumers == 1 ? fmt::format("riffle-bench-{}", getpid())
                                                : fmt::format("riffle-bench-{}-{}", getpid(), c);
      run.consumer_arns.push_back(Must(RegisterConsumer(client, stream_arn, name), "RegisterStreamConsumer"));
    }
  } else if (o.scenario == "produce-consume") {
    for (const std::string& shard : run.shard_ids) {
      auto it = Must(client.GetShardIterator({.StreamName = o.stream, .ShardId = shard, .ShardIteratorType = "LATEST"}),
                     "GetShardIterator LATEST");
      run.start_iterators.push_back(it.ShardIterator.value_or(""));
    }
  }
}

void Teardown(Run& run) {
  if (run.options.no_setup || run.options.keep_stream || !run.client) return;
  // With the consumers produce-consume --via subscribe registered.
  auto r = run.client->DeleteStream({.StreamName = run.options.stream, .EnforceConsumerDeletion = true});
  if (!r.ok()) std::fprintf(stderr, "riffle-bench: DeleteStream: %s\n", r.error().ToString().c_str());
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
  app.add_option("--read-endpoint", o.read_endpoint,
                 "produce-consume: where consumers read (default: --endpoint), e.g. another node of a cluster");
  app.add_option("--connections,-c", o.connections, "concurrent lanes (one request in flight each)")
      ->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--threads,-t", o.threads, "client I/O threads (default: min(connections, cores))");
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
  app.add_option("--consumers", o.consumers,
                 "produce-consume --via subscribe: registered consumers, each subscribed to every shard")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  app.add_option("--stream", o.stream, "stream name (default riffle-bench-<scenario>-<pid>)");
  app.add_option("--region", o.region, "region of the SigV4 scope")->capture_default_str();
  app.add_option("--label", o.label, "name of the server, echoed in --json output");
  app.add_flag("--json", o.json, "print the summary as one JSON object on stdout");
  app.add_flag("--no-setup", o.no_setup, "do not create/describe/delete a stream (plain HTTP servers; put scenarios only)");
  app.add_flag("--keep-stream", o.keep_stream, "do not delete the stream at the end");
  CLI11_PARSE(app, argc, argv);

  if (o.via != "get-records" && o.scenario != "produce-consume") Die("--via only applies to produce-consume");
  if (o.consumers != 1 && o.via != "subscribe") Die("--consumers only applies to --via subscribe");
  if (!o.read_endpoint.empty() && o.scenario != "produce-consume") Die("--read-endpoint only applies to produce-consume");
  if (o.no_setup && (o.scenario == "get-records" || o.scenario == "produce-consume")) {
    Die("--no-setup only works with put-record and put-records");
  }
  if (o.stream.empty()) o.stream = fmt::format("riffle-bench-{}-{}", o.scenario, getpid());
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (o.threads <= 0) o.threads = static_cast<int>(std::min<unsigned>(o.connections, cores));
  std::signal(SIGPIPE, SIG_IGN);

  Run run;
  run.options = o;
  kinesis::ClientOptions client_options;
  client_options.endpoint = o.endpoint;
  client_options.region = o.region;
  client_options.credentials = kinesis::Credentials{"riffle", "riffle", ""};
  client_options.retry.max_attempts = 1;  // a benchmark counts errors, it does not hide them
  client_options.io_threads = o.threads;
  // Each subscription holds a connection of its own.
  client_options.max_connections =
      static_cast<size_t>(o.connections) + static_cast<size_t>(o.shards) * static_cast<size_t>(o.consumers) + 2;
  run.client = Must(kinesis::Client::Create(client_options), "client");
  run.read_client = run.client;
  if (!o.read_endpoint.empty()) {
    client_options.endpoint = o.read_endpoint;
    run.read_client = Must(kinesis::Client::Create(client_options), "read client");
  }
  if (!o.no_setup) Setup(run);

  const bool subscribe = o.scenario == "produce-consume" && o.via == "subscribe";
  run.timer_thread = std::thread([&run] { run.timers.run(); });
  std::vector<std::thread> subscribers;
  // Subscribers start at once; producers 1 s later, so that every LATEST
  // subscription is in place before the first record.
  run.start = Clock::now() + (subscribe ? std::chrono::seconds(1) : std::chrono::seconds(0));
  run.deadline = run.start + std::chrono::nanoseconds(static_cast<int64_t>(o.duration * 1e9));
  if (o.scenario == "produce-consume" && !subscribe) {
    for (size_t s = 0; s < run.shard_ids.size(); ++s) StartConsumerLane(run, run.NewLane(), static_cast<int>(s));
  }
  // One subscription per consumer and shard, each on a thread of its own.
  for (size_t c = 0; c < run.consumer_arns.size(); ++c) {
    for (size_t s = 0; s < run.shard_ids.size(); ++s) {
      Lane& lane = run.NewLane();
      run.LaneStarted();
      riffle::bench::SubscriberConfig config{run.read_client, run.consumer_arns[c], run.shard_ids[s],
                                             run.deadline + std::chrono::seconds(2), &run.stop};
      riffle::bench::SubscriberHooks hooks;
      hooks.on_record = [&lane](int64_t sent, int64_t seen) {
        lane.e2e_ns.push_back(seen - sent);
        lane.seen_pairs.emplace_back(sent, seen);
        Counters::Add(lane.counters.consumed, 1);
      };
      hooks.on_error = [&lane](std::string type) { CountError(lane, "consumer " + type); };
      hooks.on_subscribe = [&lane] { Counters::Add(lane.counters.subscriptions, 1); };
      subscribers.emplace_back([&run, &lane, config = std::move(config), hooks = std::move(hooks)]() mutable {
        RunSubscriber(std::move(config), std::move(hooks));
        run.LaneFinished(lane);
      });
    }
  }
  for (int c = 0; c < o.connections; ++c) {
    Lane& lane = run.NewLane();
    if (o.scenario == "put-record" || o.scenario == "put-records") StartPutLane(run, lane, c);
    if (o.scenario == "get-records") StartGetLane(run, lane, c);
    if (o.scenario == "produce-consume") {
      // Producers start at run.start (a lane waits on the timer thread until then).
      StartProducerLane(run, lane, c);
    }
  }

  // Progress once a second; a watchdog stops everything 30 s after the deadline.
  auto total = [&](std::atomic<uint64_t> Counters::*field) {
    uint64_t sum = 0;
    for (auto& lane : run.lanes) sum += ((lane->counters).*field).load(std::memory_order_relaxed);
    return sum;
  };
  uint64_t last_requests = 0, last_bytes = 0, last_records = 0;
  auto last = run.start;
  bool watchdog = false;
  for (;;) {
    {
      std::unique_lock lock(run.mutex);
      if (run.all_done.wait_for(lock, std::chrono::milliseconds(100), [&] { return run.running == 0; })) break;
    }
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
    if (!watchdog && now > run.deadline + std::chrono::seconds(30)) {
      std::fprintf(stderr, "riffle-bench: watchdog: stopping requests still in flight 30 s after the end\n");
      watchdog = true;
      run.stop = true;
      // Closing the client fails what is in flight (kCancelled): the lanes end.
      std::thread([client = std::move(run.client), read = std::move(run.read_client)]() mutable {
        client.reset();
        read.reset();
      }).detach();
    }
  }
  for (auto& t : subscribers) t.join();
  run.timers_work.reset();
  run.timer_thread.join();
  // Requests in flight at the deadline finish and are counted, so rates divide
  // by the time until the last one finished (not the nominal duration).
  // produce-consume: producers stop at the deadline; consumers linger 2 s more.
  Clock::time_point last_done = run.start;
  for (auto& lane : run.lanes) last_done = std::max(last_done, lane->finished);
  double elapsed = std::chrono::duration<double>(last_done - run.start).count();
  if (o.scenario == "produce-consume") elapsed = std::min(elapsed, o.duration);

  std::vector<int64_t> latencies, e2e;
  std::map<std::string, uint64_t> error_types;
  for (auto& lane : run.lanes) {
    latencies.insert(latencies.end(), lane->latencies_ns.begin(), lane->latencies_ns.end());
    e2e.insert(e2e.end(), lane->e2e_ns.begin(), lane->e2e_ns.end());
    std::lock_guard lock(lane->errors_mutex);
    for (auto& [k, v] : lane->error_types) error_types[k] += v;
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
    for (auto& lane : run.lanes) acked.insert(lane->put_spans.begin(), lane->put_spans.end());
    for (auto& lane : run.lanes) {
      for (auto [sent, seen] : lane->seen_pairs) {
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
        subscribe ? fmt::format(",\"via\":\"subscribe\",\"consumers\":{},\"subscriptions\":{},\"ack_to_event_ms\":{}",
                                o.consumers, subscriptions, pct(push))
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
      if (subscribe) {
        std::printf("  subscriptions %8llu  (%d consumer(s) x %zu shard(s); every record is due once per consumer)\n",
                    (unsigned long long)subscriptions, o.consumers, run.shard_ids.size());
      }
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
