// Conformance: two writers of one log (two nodes of a cluster, or two
// threads of one store) and append notifications across nodes.
#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/conformance/store_conformance.h"

namespace riffle::store::conformance {
namespace {


// Appends `batches` batches of `per` records, many in flight at once; returns
// (counter, data) of every record reported stored.
std::vector<std::pair<uint64_t, std::string>> AppendMany(Store& s, ShardKey shard, const std::string& tag,
                                                         int batches, int per) {
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> stored;
  std::atomic<int> pending{batches};
  std::promise<void> all_done;
  for (int b = 0; b < batches; ++b) {
    AppendBatch batch;
    batch.shard = shard;
    batch.arrival_ms = 1;
    std::vector<std::string> data;
    for (int i = 0; i < per; ++i) {
      data.push_back(tag + "-" + std::to_string(b) + "-" + std::to_string(i));
      batch.entries.push_back({"pk", data.back()});
    }
    std::vector<AppendBatch> one;
    one.push_back(std::move(batch));
    s.Append(std::move(one), [&, data](std::vector<AppendResult> r) {
      {
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_TRUE(r[0].error.ok()) << r[0].error.message();
        for (size_t i = 0; i < data.size(); ++i) {
          if (r[0].counters[i] != 0) stored.emplace_back(r[0].counters[i], data[i]);
        }
      }
      if (--pending == 0) all_done.set_value();
    });
  }
  all_done.get_future().wait();
  return stored;
}

TEST_P(StoreConformanceTest, ConcurrentAppendsFromTwoNodes) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  ASSERT_TRUE(b_->CreateLog(shard, {}).ok());
  std::vector<std::pair<uint64_t, std::string>> from_a, from_b;
  std::thread ta([&] { from_a = AppendMany(*a_, shard, "a", 200, 5); });
  std::thread tb([&] { from_b = AppendMany(*b_, shard, "b", 200, 5); });
  ta.join();
  tb.join();
  ASSERT_EQ(from_a.size(), 1000u);
  ASSERT_EQ(from_b.size(), 1000u);
  std::vector<std::pair<uint64_t, std::string>> all = from_a;
  all.insert(all.end(), from_b.begin(), from_b.end());
  std::sort(all.begin(), all.end());
  std::set<uint64_t> unique;
  for (const auto& [counter, data] : all) unique.insert(counter);
  EXPECT_EQ(unique.size(), all.size()) << "a counter was assigned twice";
  // Every reader, on every node, sees the same order: the counter order.
  for (Store* reader : {a_, b_}) {
    auto got = ReadAll(*reader, shard, 0, {.max_records = 333, .max_bytes = 1 << 20});
    ASSERT_EQ(got.size(), all.size());
    for (size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(got[i], all[i]) << i;
    }
  }
}

TEST_P(StoreConformanceTest, AppendsRacingASealAreStoredBelowItsEndOrRefused) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  std::mutex mu;
  std::map<std::string, uint64_t> stored;
  std::set<std::string> refused;
  std::atomic<int> pending{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    // Until the seal returned, and 20 appends more (those are refused).
    for (int n = 0, after_seal = 0; after_seal < 20 && n < 20000; ++n) {
      if (stop) ++after_seal;
      ++pending;
      std::vector<AppendBatch> batch(1);
      const std::string data = "r" + std::to_string(n);
      batch[0] = {shard, 1, {{"pk", data}}};
      b_->Append(std::move(batch), [&, data](std::vector<AppendResult> r) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (r[0].error.ok()) {
            stored[data] = r[0].counters[0];
          } else {
            EXPECT_EQ(r[0].error.code(), Errc::kSealed) << r[0].error.message();
            EXPECT_EQ(r[0].counters[0], 0u);
            refused.insert(data);
          }
        }
        --pending;
      });
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  // Seal once some appends are stored, however slow the machine, while more are in flight.
  for (int i = 0; i < 3000; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!stored.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto end = a_->SealLog(shard);
  stop = true;
  writer.join();
  ASSERT_TRUE(end.ok()) << end.status().message();
  for (int i = 0; i < 3000 && pending > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(pending, 0);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(stored.empty());
  EXPECT_FALSE(refused.empty());
  auto log = ReadAll(*a_, shard, 0);
  std::map<std::string, uint64_t> in_log;
  for (const auto& [counter, data] : log) {
    EXPECT_LT(counter, *end);
    EXPECT_TRUE(in_log.emplace(data, counter).second) << data;
  }
  EXPECT_EQ(in_log, stored);  // every stored one, none refused
}

TEST_P(StoreConformanceTest, ConcurrentSealsOfOneLogBothSucceedWithOneEnd) {
  // Two nodes carrying out the same reshard step at the same moment.
  for (int round = 0; round < 3; ++round) {
    ShardKey shard = NewShard();
    ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
    AppendMany(*a_, shard, "s", 2, 3);
    auto seal_a = std::async(std::launch::async, [&] { return a_->SealLog(shard); });
    auto seal_b = std::async(std::launch::async, [&] { return b_->SealLog(shard); });
    auto end_a = seal_a.get();
    auto end_b = seal_b.get();
    ASSERT_TRUE(end_a.ok()) << end_a.status().message();
    ASSERT_TRUE(end_b.ok()) << end_b.status().message();
    EXPECT_EQ(*end_a, *end_b);
  }
}

TEST_P(StoreConformanceTest, WatchAppendsHearsAppendsOfOtherNodes) {
  ShardKey shard = NewShard();
  ASSERT_TRUE(a_->CreateLog(shard, {}).ok());
  b_->WatchAppends(shard, true);
  Recorder<ShardKey>& b_heard = multi_node() ? b_appends_ : a_appends_;
  // Ticks are best effort while the subscription is being set up: append
  // until one is heard.
  bool heard = false;
  for (int i = 0; i < 50 && !heard; ++i) {
    std::vector<AppendBatch> batch(1);
    batch[0] = {shard, 1, {{"pk", "d" + std::to_string(i)}}};
    auto r = AppendAll(*a_, std::move(batch));
    ASSERT_TRUE(r[0].error.ok());
    auto seen = b_heard.Snapshot();
    heard = std::count(seen.begin(), seen.end(), shard) > 0;
    if (!heard) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(heard || b_heard.WaitFor([&](const std::vector<ShardKey>& seen) {
    return std::count(seen.begin(), seen.end(), shard) > 0;
  }));
  b_->WatchAppends(shard, false);
}

// Usage reports go to the other nodes sharing a store, never back to their
// sender; a single-node store is not shared and drops them.
TEST_P(StoreConformanceTest, UsageReportsReachTheOtherNodesOnly) {
  if (multi_node()) {
    EXPECT_TRUE(a_->Shared());
  }
  Recorder<std::string> a_heard, b_heard;
  a_->SetUsageObserver([&](std::string_view r) { a_heard.Add(std::string(r)); });
  if (multi_node()) b_->SetUsageObserver([&](std::string_view r) { b_heard.Add(std::string(r)); });
  if (!multi_node()) {
    a_->ShareUsage("dropped");
    a_->SetUsageObserver(nullptr);
    EXPECT_TRUE(a_heard.Snapshot().empty());
    return;
  }
  // Best effort while the subscription is being set up (its interest
  // reaches the other servers of a cluster a little later): send until one
  // is heard.
  bool heard = false;
  for (int i = 0; i < 50 && !heard; ++i) {
    a_->ShareUsage(std::string("report\0", 7) + std::to_string(i));
    heard = b_heard.WaitFor([](const std::vector<std::string>& seen) { return !seen.empty(); },
                            std::chrono::milliseconds(400));
  }
  ASSERT_TRUE(heard);
  EXPECT_EQ(b_heard.Snapshot()[0].substr(0, 7), std::string("report\0", 7)) << "bytes arrive verbatim";
  // a's subscription was made before b's: it is in place.
  b_->ShareUsage("from b");
  EXPECT_TRUE(a_heard.WaitFor([](const std::vector<std::string>& seen) {
    return std::find(seen.begin(), seen.end(), "from b") != seen.end();
  }));
  for (const std::string& r : a_heard.Snapshot()) EXPECT_EQ(r.rfind("report", 0), std::string::npos) << r;
  a_->SetUsageObserver(nullptr);
  b_->SetUsageObserver(nullptr);
}

}  // namespace
}  // namespace riffle::store::conformance
