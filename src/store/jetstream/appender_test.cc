// Many appends to one log at once through one store object, on a real
// nats-server: they share messages (appender.h), and every record keeps its
// own counter and data, in the order of its append within a message, with
// the arrival time its message stored.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/jetstream/jetstream_store.h"
#include "store/jetstream/names.h"
#include "store/jetstream/testing/nats_cluster.h"

namespace riffle::store::jetstream {
namespace {

using testing::NatsCluster;

TEST(JetStreamAppendTest, ConcurrentAppendsToOneLogShareMessages) {
  auto cluster = NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  JetStreamOptions options;
  options.urls = {(*cluster)->url(0)};
  options.replicas = 1;
  options.prefix = "append";
  options.node_name = "append-0";
  auto opened = Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Store& store = **opened;
  const ShardKey shard{7, 0};
  ASSERT_TRUE(store.CreateLog(shard, {}).ok());

  // One Append call of 300 batches of one log (as 300 concurrent PutRecord
  // calls would make): every tenth has two records.
  constexpr int kBatches = 300;
  std::vector<AppendBatch> batches(kBatches);
  for (int i = 0; i < kBatches; ++i) {
    batches[i].shard = shard;
    batches[i].arrival_ms = 1000 + i;
    batches[i].entries.push_back({"pk", "r" + std::to_string(i)});
    if (i % 10 == 0) batches[i].entries.push_back({"pk", "r" + std::to_string(i) + "b"});
  }
  std::promise<std::vector<AppendResult>> appended;
  store.Append(std::move(batches), [&](std::vector<AppendResult> r) { appended.set_value(std::move(r)); });
  const std::vector<AppendResult> results = appended.get_future().get();
  ASSERT_EQ(results.size(), static_cast<size_t>(kBatches));

  std::map<uint64_t, std::pair<std::string, int64_t>> expected;  // counter -> data, arrival
  std::set<uint64_t> messages;
  for (int i = 0; i < kBatches; ++i) {
    const AppendResult& r = results[i];
    ASSERT_TRUE(r.error.ok()) << r.error.message();
    ASSERT_EQ(r.counters.size(), i % 10 == 0 ? 2u : 1u);
    EXPECT_GE(r.arrival_ms, 1000 + i);  // raised to its message's, never lowered
    for (size_t k = 0; k < r.counters.size(); ++k) {
      const std::string data = "r" + std::to_string(i) + (k == 1 ? "b" : "");
      ASSERT_TRUE(expected.emplace(r.counters[k], std::make_pair(data, r.arrival_ms)).second) << data;
      messages.insert(SequenceOf(r.counters[k]));
    }
    if (r.counters.size() == 2) {  // one append's records stay together, in order
      EXPECT_EQ(r.counters[1], r.counters[0] + 1);
    }
  }
  // At most two appends of a log are in flight; the rest left together.
  EXPECT_LT(messages.size(), static_cast<size_t>(kBatches) / 2);

  std::promise<StatusOr<LogRead>> read;
  store.Read(shard, 0, {.max_records = 10000, .max_bytes = 1 << 20},
             [&](StatusOr<LogRead> r) { read.set_value(std::move(r)); });
  auto log = read.get_future().get();
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->records.records.size(), expected.size());
  auto want = expected.begin();
  for (const Record& rec : log->records.records) {
    EXPECT_EQ(rec.counter, want->first);
    EXPECT_EQ(rec.data, want->second.first);
    EXPECT_EQ(rec.arrival_ms, want->second.second);
    ++want;
  }
  store.Close();
}

}  // namespace
}  // namespace riffle::store::jetstream
