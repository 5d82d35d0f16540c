// The end marker (docs/storage-format.md) on a real 3-node nats-server
// cluster, in the moment of a seal the race leaves open: another node has
// published a log's end marker and not yet sealed the stream, so the leader
// still takes appends, above the marker. Such an append is reported sealed
// (its records come back to be routed to the log's successors), no read
// returns it, and the end SealLog reports is the marker's.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
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

AppendResult AppendOne(Store& store, ShardKey shard, int64_t arrival_ms, const std::vector<std::string>& data) {
  std::vector<AppendBatch> batches(1);
  batches[0].shard = shard;
  batches[0].arrival_ms = arrival_ms;
  for (const std::string& d : data) batches[0].entries.push_back({"pk", d});
  std::promise<std::vector<AppendResult>> p;
  store.Append(std::move(batches), [&p](std::vector<AppendResult> r) { p.set_value(std::move(r)); });
  return std::move(p.get_future().get()[0]);
}

StatusOr<LogRead> ReadAll(Store& store, ShardKey shard, uint64_t from) {
  std::promise<StatusOr<LogRead>> p;
  store.Read(shard, from, {.max_records = 1000, .max_bytes = 1 << 20},
             [&p](StatusOr<LogRead> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

template <typename T>
StatusOr<T> Await(const std::function<void(std::function<void(StatusOr<T>)>)>& call) {
  std::promise<StatusOr<T>> p;
  call([&p](StatusOr<T> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

TEST(JetStreamEndMarkerTest, AppendsAboveTheMarkerAreSealedAndNeverRead) {
  auto cluster = NatsCluster::Start({.servers = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  JetStreamOptions options;
  options.urls = {(*cluster)->url(0), (*cluster)->url(1), (*cluster)->url(2)};
  options.replicas = 3;
  options.prefix = "marker";
  options.node_name = "marker-0";
  auto opened = Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Store& store = **opened;
  const ShardKey shard{5, 2};
  ASSERT_TRUE(store.CreateLog(shard, {.first_counter = CounterOf(10, 0)}).ok());

  std::vector<uint64_t> stored;
  for (int m = 0; m < 3; ++m) {
    AppendResult r = AppendOne(store, shard, 1000 + m, {"a" + std::to_string(m), "b" + std::to_string(m)});
    ASSERT_TRUE(r.error.ok()) << r.error.message();
    stored.insert(stored.end(), r.counters.begin(), r.counters.end());
  }
  const uint64_t end = stored.back() + 1;

  // Another node's seal, half done: the marker is in the log, the stream is
  // not sealed yet.
  auto connection = Connection::Open(options, [](natsMsg* m, jsPubAck*, jsPubAckErr*) { natsMsg_Destroy(m); });
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  const std::string stream = LogStreamName(options.prefix, shard);
  // "No marker" is answered only by a leader whose log reaches the
  // acknowledgements asked about (a leader just elected may lag).
  LogAdmin probe(connection->get(), options);
  auto before = probe.Info(shard);
  ASSERT_TRUE(before.ok()) << before.status().message();
  const uint64_t last = (*before)->State.LastSeq;
  auto none = probe.EndMarkerFrom(shard, 1, last, 500);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(*none);
  auto lagging = probe.EndMarkerFrom(shard, 1, last + 1, 500);
  EXPECT_EQ(lagging.status().code(), Errc::kUnavailable) << "a log not reaching the acknowledgement cannot say";
  // Nor can a leader elected between its "no marker" and the check that
  // the leader which reached `last` gave it: the leadership moves there.
  auto leader_before = (*cluster)->LeaderOf(stream);
  ASSERT_TRUE(leader_before.ok()) << leader_before.status().message();
  probe.SetAfterNoMarkerForTest([&] {
    const std::string subject = "$JS.API.STREAM.LEADER.STEPDOWN." + stream;
    natsMsg* reply = nullptr;
    EXPECT_EQ(natsConnection_Request(&reply, (*connection)->nc(), subject.c_str(), nullptr, 0, 5000), NATS_OK);
    natsMsg_Destroy(reply);
    for (int i = 0; i < 200; ++i) {
      auto now = (*cluster)->LeaderOf(stream);
      if (now.ok() && *now != *leader_before) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no other leader of " << stream << " within 10 s of its step-down";
  });
  auto moved = probe.EndMarkerFrom(shard, 1, last, 2000);
  probe.SetAfterNoMarkerForTest(nullptr);
  EXPECT_EQ(moved.status().code(), Errc::kUnavailable);
  EXPECT_NE(moved.status().message().find("leader of " + stream + " changed"), std::string::npos)
      << moved.status().message();
  auto settled = probe.EndMarkerFrom(shard, 1, last, 2000);  // asked again, of the new leader
  ASSERT_TRUE(settled.ok()) << settled.status().message();
  EXPECT_FALSE(*settled);
  natsMsg* raw = nullptr;
  ASSERT_EQ(natsMsg_Create(&raw, LogEndSubject(options.prefix, shard).c_str(), nullptr, nullptr, 0), NATS_OK);
  natsMsgHeader_Set(raw, "Nats-Msg-Id", kLogEndMsgId);
  natsMsgHeader_Set(raw, "Nats-Expected-Last-Subject-Sequence", "0");
  jsPubAck* ack = nullptr;
  ASSERT_EQ(js_PublishMsg(&ack, (*connection)->js(), raw, nullptr, nullptr), NATS_OK);
  const uint64_t marker = ack->Sequence;
  jsPubAck_Destroy(ack);
  natsMsg_Destroy(raw);
  auto seen = probe.EndMarkerFrom(shard, last + 1, marker, 500);
  ASSERT_TRUE(seen.ok()) << seen.status().message();
  EXPECT_EQ(*seen, std::optional<uint64_t>(marker));

  // Taken by the leader above the marker, and reported sealed.
  AppendResult late = AppendOne(store, shard, 2000, {"late0", "late1"});
  EXPECT_EQ(late.error.code(), Errc::kSealed) << late.error.message();
  EXPECT_EQ(late.counters, (std::vector<uint64_t>{0, 0}));
  ASSERT_EQ(late.returned.size(), 2u);
  EXPECT_EQ(late.returned[1].data, "late1");
  LogAdmin admin(connection->get(), options);
  auto info = admin.Info(shard);
  ASSERT_TRUE(info.ok());
  EXPECT_GT((*info)->State.LastSeq, marker) << "the late append must be in the stream, above the marker";
  EXPECT_FALSE((*info)->Config->Sealed);

  // Reads end at the marker: through a consumer, from the leader, from a
  // position above the marker, and by arrival time.
  auto read = ReadAll(store, shard, 0);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->records.records.size(), stored.size());
  for (size_t i = 0; i < stored.size(); ++i) EXPECT_EQ(read->records.records[i].counter, stored[i]);
  EXPECT_TRUE(read->at_end);
  EXPECT_EQ(read->next, end);
  auto again = ReadAll(store, shard, end);  // where a reader at the end continues
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->records.records.empty());
  EXPECT_TRUE(again->at_end);
  EXPECT_EQ(again->next, end);
  auto leader = ReadFromLeader(**connection, admin, options, shard, 0, {.max_records = 1000, .max_bytes = 1 << 20});
  ASSERT_TRUE(leader.ok()) << leader.status().message();
  EXPECT_EQ(leader->records.records.size(), stored.size());
  EXPECT_EQ(leader->next, end);
  const uint64_t above = CounterOf(SequenceOf(end) + 2, 0);
  auto beyond = ReadAll(store, shard, above);
  ASSERT_TRUE(beyond.ok()) << beyond.status().message();
  EXPECT_TRUE(beyond->records.records.empty());
  EXPECT_TRUE(beyond->at_end);
  auto found = Await<uint64_t>([&](auto done) { store.FindByArrival(shard, 1500, std::move(done)); });
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(*found, end);
  auto bounds = Await<LogBounds>([&](auto done) { store.Bounds(shard, std::move(done)); });
  ASSERT_TRUE(bounds.ok()) << bounds.status().message();
  EXPECT_EQ(bounds->end, end);

  // The seal completes, through this node and through another: one end.
  auto sealed = store.SealLog(shard);
  ASSERT_TRUE(sealed.ok()) << sealed.status().message();
  EXPECT_EQ(*sealed, end);
  options.node_name = "marker-1";
  auto other = Open(options);
  ASSERT_TRUE(other.ok()) << other.status().message();
  auto sealed_again = (*other)->SealLog(shard);
  ASSERT_TRUE(sealed_again.ok()) << sealed_again.status().message();
  EXPECT_EQ(*sealed_again, end);
  AppendResult refused = AppendOne(**other, shard, 3000, {"after"});
  EXPECT_EQ(refused.error.code(), Errc::kSealed) << refused.error.message();
  bounds = Await<LogBounds>([&](auto done) { (*other)->Bounds(shard, std::move(done)); });
  ASSERT_TRUE(bounds.ok()) << bounds.status().message();
  EXPECT_EQ(bounds->end, end);
  EXPECT_TRUE(bounds->sealed);
  (*other)->Close();
  store.Close();
}

// A log sealed twice at the same moment through two nodes has one marker
// and one end; an empty log ends at its first counter.
TEST(JetStreamEndMarkerTest, OneMarkerPerLog) {
  auto cluster = NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  JetStreamOptions options;
  options.urls = {(*cluster)->url(0)};
  options.replicas = 1;
  options.prefix = "once";
  options.node_name = "once-0";
  auto a = Open(options);
  ASSERT_TRUE(a.ok()) << a.status().message();
  options.node_name = "once-1";
  auto b = Open(options);
  ASSERT_TRUE(b.ok()) << b.status().message();
  const ShardKey empty{1, 0}, full{1, 1};
  ASSERT_TRUE((*a)->CreateLog(empty, {.first_counter = CounterOf(7, 0)}).ok());
  ASSERT_TRUE((*a)->CreateLog(full, {.first_counter = 1}).ok());
  AppendResult r = AppendOne(**a, full, 1, {"x", "y", "z"});
  ASSERT_TRUE(r.error.ok()) << r.error.message();
  for (ShardKey shard : {empty, full}) {
    auto first = std::async(std::launch::async, [&] { return (*a)->SealLog(shard); });
    auto second = std::async(std::launch::async, [&] { return (*b)->SealLog(shard); });
    auto x = first.get(), y = second.get();
    ASSERT_TRUE(x.ok()) << x.status().message();
    ASSERT_TRUE(y.ok()) << y.status().message();
    EXPECT_EQ(*x, *y);
    EXPECT_EQ(*x, shard == empty ? CounterOf(7, 0) : r.counters.back() + 1);
  }
  (*b)->Close();
  (*a)->Close();
}

// The race above, forced: node B has marked the end and read the log
// unsealed when node A seals it, so B's own sealing update is refused (a
// sealed stream's configuration cannot change). B's seal reports A's end
// (LogAdmin::SealedElsewhere) instead of the refusal.
TEST(JetStreamEndMarkerTest, ASealRefusedBecauseAnotherNodeSealedFirstReportsThatEnd) {
  auto cluster = NatsCluster::Start({.servers = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  JetStreamOptions options;
  options.urls = {(*cluster)->url(0), (*cluster)->url(1), (*cluster)->url(2)};
  options.replicas = 3;
  options.prefix = "race";
  options.node_name = "race-0";
  auto opened = Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  const ShardKey shard{3, 1};
  ASSERT_TRUE((*opened)->CreateLog(shard, {.first_counter = CounterOf(4, 0)}).ok());
  AppendResult r = AppendOne(**opened, shard, 1, {"x", "y"});
  ASSERT_TRUE(r.error.ok()) << r.error.message();

  auto ignore_acks = [](natsMsg* m, jsPubAck*, jsPubAckErr*) { natsMsg_Destroy(m); };
  auto on_a = Connection::Open(options, ignore_acks);
  ASSERT_TRUE(on_a.ok()) << on_a.status().message();
  auto on_b = Connection::Open(options, ignore_acks);
  ASSERT_TRUE(on_b.ok()) << on_b.status().message();
  LogAdmin a(on_a->get(), options);
  LogAdmin b(on_b->get(), options);
  StatusOr<uint64_t> by_a = Status::Unavailable("A's seal did not run");
  bool ran = false;
  b.SetBeforeSealUpdateForTest([&] {
    ran = true;
    by_a = a.Seal(shard);
  });
  StatusOr<uint64_t> by_b = b.Seal(shard);
  b.SetBeforeSealUpdateForTest(nullptr);
  ASSERT_TRUE(ran) << "B found the log sealed before its update";
  ASSERT_TRUE(by_a.ok()) << by_a.status().message();
  ASSERT_TRUE(by_b.ok()) << by_b.status().message();
  EXPECT_EQ(*by_a, r.counters.back() + 1);
  EXPECT_EQ(*by_b, *by_a);
  auto info = b.Info(shard);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_TRUE((*info)->Config->Sealed);
  (*opened)->Close();
}

}  // namespace
}  // namespace riffle::store::jetstream
