// The reads answered by a log's leader (leader_read.h), on a real
// nats-server: ReadFromLeader returns what a read through a consumer returns,
// from any counter and at any limits, and LeaderAgrees recognises the
// leader's message at a sequence by its id.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "store/jetstream/connection.h"
#include "store/jetstream/jetstream_store.h"
#include "store/jetstream/leader_read.h"
#include "store/jetstream/log_admin.h"
#include "store/jetstream/names.h"
#include "store/jetstream/testing/nats_cluster.h"

namespace riffle::store::jetstream {
namespace {

using testing::NatsCluster;

StatusOr<LogRead> ReadThroughStore(Store& store, ShardKey shard, uint64_t from, ReadLimits limits) {
  std::promise<StatusOr<LogRead>> p;
  store.Read(shard, from, limits, [&p](StatusOr<LogRead> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

void ExpectSameRead(const StatusOr<LogRead>& got, const StatusOr<LogRead>& want, const std::string& what) {
  ASSERT_TRUE(got.ok()) << what << ": " << got.status().message();
  ASSERT_TRUE(want.ok()) << what << ": " << want.status().message();
  EXPECT_EQ(got->next, want->next) << what;
  EXPECT_EQ(got->at_end, want->at_end) << what;
  ASSERT_EQ(got->records.records.size(), want->records.records.size()) << what;
  for (size_t i = 0; i < got->records.records.size(); ++i) {
    EXPECT_EQ(got->records.records[i].counter, want->records.records[i].counter) << what;
    EXPECT_EQ(got->records.records[i].data, want->records.records[i].data) << what;
    EXPECT_EQ(got->records.records[i].arrival_ms, want->records.records[i].arrival_ms) << what;
  }
}

TEST(JetStreamLeaderReadTest, ReadsWhatAConsumerReads) {
  auto cluster = NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  JetStreamOptions options;
  options.urls = {(*cluster)->url(0)};
  options.replicas = 1;
  options.prefix = "leader";
  options.node_name = "leader-0";
  auto opened = Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Store& store = **opened;
  const ShardKey shard{3, 1};
  ASSERT_TRUE(store.CreateLog(shard, {.first_counter = CounterOf(40, 0)}).ok());

  // An empty log, then messages of 1 to 5 records, one at a time.
  auto connection = Connection::Open(options, [](natsMsg* m, jsPubAck*, jsPubAckErr*) { natsMsg_Destroy(m); });
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  LogAdmin admin(connection->get(), options);
  ExpectSameRead(ReadFromLeader(**connection, admin, options, shard, 0, {.max_records = 10, .max_bytes = 1 << 20}),
                 ReadThroughStore(store, shard, 0, {.max_records = 10, .max_bytes = 1 << 20}), "empty");
  std::vector<uint64_t> counters;
  for (int m = 0; m < 12; ++m) {
    std::vector<AppendBatch> batches(1);
    batches[0].shard = shard;
    batches[0].arrival_ms = 5000 + m;
    for (int r = 0; r <= m % 5; ++r) batches[0].entries.push_back({"pk", "m" + std::to_string(m) + "r" + std::to_string(r)});
    std::promise<std::vector<AppendResult>> appended;
    store.Append(std::move(batches), [&](std::vector<AppendResult> r) { appended.set_value(std::move(r)); });
    auto results = appended.get_future().get();
    ASSERT_TRUE(results[0].error.ok()) << results[0].error.message();
    counters.insert(counters.end(), results[0].counters.begin(), results[0].counters.end());
  }

  std::vector<uint64_t> froms = {0, counters.front(), counters[3], counters[4] + 1, counters.back(), counters.back() + 1};
  for (uint64_t from : froms) {
    for (uint64_t max_records : {1u, 2u, 3u, 7u, 100u}) {
      const ReadLimits limits{.max_records = max_records, .max_bytes = 1 << 20};
      ExpectSameRead(ReadFromLeader(**connection, admin, options, shard, from, limits),
                     ReadThroughStore(store, shard, from, limits),
                     "from " + std::to_string(from) + ", " + std::to_string(max_records) + " records");
    }
  }

  // The leader's message at a sequence, by its id.
  const std::string stream = LogStreamName(options.prefix, shard);
  natsMsg* raw = nullptr;
  const uint64_t seq = StreamSequenceOf(*admin.OffsetOf(shard), counters[4]);
  ASSERT_EQ(js_GetMsg(&raw, (*connection)->js(), stream.c_str(), seq, nullptr, nullptr), NATS_OK);
  const std::string id = MessageIdOf(raw);
  natsMsg_Destroy(raw);
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(*LeaderAgrees(**connection, options, shard, seq, id));
  EXPECT_FALSE(*LeaderAgrees(**connection, options, shard, seq + 1, id));
  EXPECT_FALSE(*LeaderAgrees(**connection, options, shard, seq + 1000, id));  // beyond the end
  store.Close();
}

}  // namespace
}  // namespace riffle::store::jetstream
