// Faults at the store level, through real nats-server processes: servers of
// a 3-node cluster are SIGKILLed and restarted under a steady stream of
// appends from two store objects (connected to different servers).
//
// What must hold: every append reported stored is read back exactly once,
// in counter order; nothing is stored twice (the store's retries reuse
// message ids); appends are accepted again once a leader is back; without a
// quorum appends fail with kUnavailable (never reported stored) and succeed
// again when the quorum returns.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/jetstream/jetstream_store.h"
#include "store/jetstream/names.h"
#include "store/jetstream/testing/nats_cluster.h"

namespace riffle::store::jetstream {
namespace {

using testing::NatsCluster;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Appends batches of 4 records with unique data, up to 64 in flight, until
// stopped; remembers what was reported stored and what failed.
class Producer {
 public:
  Producer(Store* store, ShardKey shard, std::string tag) : store_(store), shard_(shard), tag_(std::move(tag)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Producer() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return in_flight_ == 0; });
  }
  // Waits until an append started after `since_ms` was stored.
  bool StoredSince(int64_t since_ms, int64_t timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return last_stored_start_ms_ > since_ms; });
  }
  std::map<std::string, uint64_t> stored() {
    std::lock_guard<std::mutex> lock(mu_);
    return stored_;
  }
  std::map<Errc, int> failures() {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }

 private:
  void Run() {
    uint64_t n = 0;
    while (!stop_) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return in_flight_ < 64; });
        ++in_flight_;
      }
      std::vector<AppendBatch> batches(1);
      batches[0].shard = shard_;
      batches[0].arrival_ms = 1;
      std::vector<std::string> data;
      for (int i = 0; i < 4; ++i) {
        data.push_back(tag_ + "-" + std::to_string(n) + "-" + std::to_string(i));
        batches[0].entries.push_back({"pk", data.back()});
      }
      ++n;
      const int64_t started = NowMs();
      store_->Append(std::move(batches), [this, data, started](std::vector<AppendResult> r) {
        std::lock_guard<std::mutex> lock(mu_);
        for (size_t i = 0; i < data.size(); ++i) {
          if (r[0].counters[i] != 0) stored_[data[i]] = r[0].counters[i];
        }
        if (r[0].error.ok()) {
          last_stored_start_ms_ = std::max(last_stored_start_ms_, started);
        } else {
          ++failures_[r[0].error.code()];
          EXPECT_EQ(r[0].error.code(), Errc::kUnavailable) << r[0].error.message();
        }
        --in_flight_;
        cv_.notify_all();
      });
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  Store* store_;
  ShardKey shard_;
  std::string tag_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int64_t last_stored_start_ms_ = 0;
  std::map<std::string, uint64_t> stored_;
  std::map<Errc, int> failures_;
  std::thread thread_;
};

std::unique_ptr<Store> OpenStore(NatsCluster& cluster, int server, int64_t retry_budget_ms = 12000) {
  JetStreamOptions options;
  options.urls = {cluster.url(server)};
  options.replicas = 3;
  options.retry_budget_ms = retry_budget_ms;
  options.node_name = "fault-" + std::to_string(server);
  auto store = Open(options);
  EXPECT_TRUE(store.ok()) << store.status().message();
  return store.ok() ? std::move(*store) : nullptr;
}

// Every record of the log, in read order: data -> counter. Fails the test on
// a duplicate or a counter that does not increase.
std::map<std::string, uint64_t> ReadLog(Store& store, ShardKey shard) {
  std::map<std::string, uint64_t> out;
  uint64_t from = 0, previous = 0;
  for (int calls = 0; calls < 100000; ++calls) {
    std::promise<StatusOr<LogRead>> p;
    store.Read(shard, from, {.max_records = 1000, .max_bytes = 1 << 20},
               [&p](StatusOr<LogRead> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) break;
    for (const Record& rec : r->records) {
      EXPECT_GT(rec.counter, previous);
      previous = rec.counter;
      EXPECT_TRUE(out.emplace(std::string(rec.data), rec.counter).second) << "stored twice: " << rec.data;
    }
    from = r->next;
    if (r->at_end) break;
  }
  return out;
}

// Records one read has and the other has not (or at another counter), up to
// a few, with their counters: what a failure needs to be understood.
std::string Difference(const std::map<std::string, uint64_t>& x, const std::map<std::string, uint64_t>& y) {
  std::string out;
  int shown = 0, differing = 0;
  for (const auto& [data, counter] : x) {
    auto it = y.find(data);
    if (it != y.end() && it->second == counter) continue;
    ++differing;
    if (shown++ < 12) {
      out += " " + data + "@" + std::to_string(counter) +
             (it == y.end() ? std::string("(absent)") : "(at " + std::to_string(it->second) + ")");
    }
  }
  return std::to_string(differing) + " of " + std::to_string(x.size()) + ":" + out;
}

void ExpectStoredExactlyOnce(const std::map<std::string, uint64_t>& log, Producer& producer) {
  const auto stored = producer.stored();
  std::map<std::string, uint64_t> missing;
  for (const auto& [data, counter] : stored) {
    auto it = log.find(data);
    if (it == log.end()) {
      missing.emplace(data, counter);
      continue;
    }
    EXPECT_EQ(it->second, counter) << data;
  }
  EXPECT_TRUE(missing.empty()) << "reported stored but missing: " << Difference(missing, log);
}

TEST(JetStreamFaultTest, AppendsSurviveKillsOfLeaderFollowerAndConnectedServer) {
  auto cluster = NatsCluster::Start({.servers = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  NatsCluster& c = **cluster;
  auto a = OpenStore(c, 0);
  auto b = OpenStore(c, 1);
  ASSERT_TRUE(a && b);
  const ShardKey shard{1, 0};
  ASSERT_TRUE(a->CreateLog(shard, {}).ok());
  const std::string stream = LogStreamName("riffle", shard);

  Producer pa(a.get(), shard, "a"), pb(b.get(), shard, "b");
  ASSERT_TRUE(pa.StoredSince(0, 10000) && pb.StoredSince(0, 10000));

  auto kill_and_restart = [&](int victim, const char* what) {
    SCOPED_TRACE(what);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    c.Kill(victim);
    const int64_t killed = NowMs();
    // Appends are accepted again once a leader is back (through both stores).
    EXPECT_TRUE(pa.StoredSince(killed, 30000)) << what;
    EXPECT_TRUE(pb.StoredSince(killed, 30000)) << what;
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    ASSERT_TRUE(c.Restart(victim).ok());
    EXPECT_TRUE(pa.StoredSince(NowMs(), 30000) && pb.StoredSince(NowMs(), 30000)) << what;
  };

  auto leader = c.LeaderOf(stream);
  ASSERT_TRUE(leader.ok()) << leader.status().message();
  kill_and_restart(*leader, "the log's leader");
  leader = c.LeaderOf(stream);
  ASSERT_TRUE(leader.ok());
  const int follower = (*leader + 1) % 3;
  kill_and_restart(follower, "a follower");
  // The server a store object is connected to, while it follows the log's
  // leader: publishes it forwarded may be stored with their acks lost, and
  // their retries (through another server) must be recognised as duplicates.
  leader = c.LeaderOf(stream);
  ASSERT_TRUE(leader.ok());
  kill_and_restart(*leader == 0 ? 1 : 0, "the server a store object is connected to");

  pa.Stop();
  pb.Stop();
  const std::map<std::string, uint64_t> log = ReadLog(*b, shard);
  const std::map<std::string, uint64_t> through_a = ReadLog(*a, shard);
  for (const auto* read : {&log, &through_a}) {
    SCOPED_TRACE(read == &log ? "read through b" : "read through a");
    ExpectStoredExactlyOnce(*read, pa);
    ExpectStoredExactlyOnce(*read, pb);
  }
  EXPECT_GT(pa.stored().size(), 100u);
  EXPECT_GT(pb.stored().size(), 100u);
  // Both stores read the same log.
  EXPECT_TRUE(through_a == log) << "only through a: " << Difference(through_a, log)
                                << "; only through b: " << Difference(log, through_a);
  a->Close();
  b->Close();
}

TEST(JetStreamFaultTest, WithoutAQuorumAppendsFailUnavailableThenSucceedAgain) {
  auto cluster = NatsCluster::Start({.servers = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  NatsCluster& c = **cluster;
  auto a = OpenStore(c, 0, /*retry_budget_ms=*/3000);
  ASSERT_TRUE(a);
  const ShardKey shard{2, 0};
  ASSERT_TRUE(a->CreateLog(shard, {}).ok());
  {
    Producer warm(a.get(), shard, "warm");
    ASSERT_TRUE(warm.StoredSince(0, 10000));
  }
  // Through the server that leads the log: it takes appends in and proposes
  // them to followers that are gone, and answers a retry of one (same
  // message id) before knowing whether it will ever be stored.
  auto leader = c.LeaderOf(LogStreamName("riffle", shard));
  ASSERT_TRUE(leader.ok()) << leader.status().message();
  auto on_leader = OpenStore(c, *leader, /*retry_budget_ms=*/3000);
  ASSERT_TRUE(on_leader);
  for (int i = 0; i < 3; ++i) {
    if (i != *leader) c.Kill(i);
  }
  Producer p(on_leader.get(), shard, "p");
  std::this_thread::sleep_for(std::chrono::milliseconds(6000));
  const int64_t restarting = NowMs();
  auto during = p.stored();
  for (int i = 0; i < 3; ++i) {
    if (i != *leader) {
      ASSERT_TRUE(c.Restart(i).ok());
    }
  }
  EXPECT_TRUE(p.StoredSince(restarting, 60000));
  p.Stop();
  auto failures = p.failures();
  EXPECT_GT(failures[Errc::kUnavailable], 0);
  EXPECT_EQ(failures.size(), 1u);
  // Nothing was reported stored while no quorum could store it.
  for (const auto& [data, counter] : during) {
    ADD_FAILURE() << "reported stored without a quorum: " << data;
  }
  std::map<std::string, uint64_t> log = ReadLog(*a, shard);
  ExpectStoredExactlyOnce(log, p);
  EXPECT_TRUE(a->Ready().ok());
  on_leader->Close();
  a->Close();
}

}  // namespace
}  // namespace riffle::store::jetstream
