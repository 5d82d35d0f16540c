// Several StreamServices over one store play the nodes of a cluster: each
// answers for what any node did, races between nodes have one winner, and a
// node that has not heard of a change yet still answers right (its writes lose
// the compare-and-set and are redone; its puts into a sealed shard are routed
// to the children). FakeNode holds a node's change feed back to make it stale.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "core/byte_codec.h"
#include "core/fake_store_for_test.h"
#include "core/service_calls_for_test.h"
#include "core/stream_service.h"

namespace riffle::core {
namespace {

class NodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      auto opened = StreamService::Open(*nodes_[i], clock_, {});
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      services_[i] = std::move(*opened);
    }
  }
  Status Sync(std::function<void(StreamService::Done)> call) {
    Status result = Status::Internal("not called");
    call([&](Status s) { result = s; });
    return result;
  }
  StatusOr<std::vector<PutResult>> Put(StreamService& node, const std::vector<std::string>& keys) {
    std::vector<PutEntry> entries;
    for (auto& k : keys) entries.push_back({k, "data-" + k, std::nullopt});
    return AwaitCall<std::vector<PutResult>>(
        [&](auto done) { node.PutRecords(stream_, std::move(entries), std::nullopt, done); });
  }
  std::vector<std::string> ReadAll(StreamService& node, const std::string& shard) {
    std::vector<std::string> keys;
    auto it = IteratorOf(node, stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
    EXPECT_TRUE(it.ok()) << it.status().message();
    if (!it.ok()) return keys;
    auto page = RecordsOf(node, *it, {});
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (page.ok()) {
      for (const RecordOut& r : page->records) keys.emplace_back(r.partition_key);
    }
    return keys;
  }

  FakeStore store_;
  std::unique_ptr<FakeNode> nodes_[2] = {std::make_unique<FakeNode>(store_), std::make_unique<FakeNode>(store_)};
  ManualClock clock_{1700000000000};
  std::unique_ptr<StreamService> services_[2];
  StreamAddress stream_{"000000000000", "us-east-1", "s1"};
};

TEST_F(NodesTest, AStreamCreatedThroughOneNodeIsServedByTheOther) {
  nodes_[1]->Hold(true);  // node 1 has not heard of it yet
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 2, d); }).ok());
  auto described = services_[1]->DescribeStream(stream_, {}, {});  // control reads catch up first
  ASSERT_TRUE(described.ok()) << described.status().message();
  EXPECT_EQ(described->shards.size(), 2u);
  nodes_[1]->Hold(true);
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->DeleteStream(stream_, false, d); }).ok());
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 1, d); }).ok());
  // A put through the stale node reaches the new stream after a miss... or
  // the old one's sealed logs: either way it is not lost.
  auto put = Put(*services_[1], {"a"});
  ASSERT_TRUE(put.ok()) << put.status().message();
  EXPECT_EQ(ReadAll(*services_[0], (*put)[0].shard_id), std::vector<std::string>{"a"});
}

TEST_F(NodesTest, OfTwoCreatesOfOneNameExactlyOneSucceeds) {
  for (int round = 0; round < 20; ++round) {
    StreamAddress name{"000000000000", "us-east-1", "race-" + std::to_string(round)};
    Status results[2];
    std::thread threads[2];
    for (int i = 0; i < 2; ++i) {
      threads[i] = std::thread([&, i] {
        results[i] = Sync([&](auto d) { services_[i]->CreateStream(name, 1, d); });
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_NE(results[0].ok(), results[1].ok()) << results[0].message() << " / " << results[1].message();
    const Status& lost = results[0].ok() ? results[1] : results[0];
    EXPECT_EQ(lost.code(), Errc::kResourceInUse) << lost.message();
  }
  // Only the winners' logs remain.
  EXPECT_EQ(store_.log_count(), 20u);
}

TEST_F(NodesTest, AStaleNodesWriteIsRedoneOnTheFreshRecord) {
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 1, d); }).ok());
  (void)services_[1]->DescribeStream(stream_, {}, {});
  nodes_[1]->Hold(true);
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->AddTags(stream_, {{"a", "1"}}, d); }).ok());
  ASSERT_TRUE(Sync([&](auto d) { services_[1]->AddTags(stream_, {{"b", "2"}}, d); }).ok());
  auto tags = services_[0]->ListTags(stream_, {}, {});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->tags, (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}}));
}

TEST_F(NodesTest, PutsThroughAStaleNodeFollowASplitMadeElsewhere) {
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 1, d); }).ok());
  ASSERT_TRUE(Put(*services_[1], {"before"}).ok());
  nodes_[1]->Hold(true);  // node 1 still routes to shard 0
  ASSERT_TRUE(Sync([&](auto d) {
                services_[0]->SplitShard(stream_, "shardId-000000000000", "170141183460469231731687303715884105728", d);
              }).ok());
  auto put = Put(*services_[1], {"after"});
  ASSERT_TRUE(put.ok()) << put.status().message();
  ASSERT_TRUE((*put)[0].error.ok()) << (*put)[0].error.message();
  EXPECT_NE((*put)[0].shard_id, "shardId-000000000000");  // into a child, not the sealed parent
  EXPECT_EQ(ReadAll(*services_[0], "shardId-000000000000"), std::vector<std::string>{"before"});
  EXPECT_EQ(ReadAll(*services_[0], (*put)[0].shard_id), std::vector<std::string>{"after"});
}

TEST_F(NodesTest, APutRoutedAgainAfterAMergeKeepsItsEntriesInOrder) {
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 2, d); }).ok());
  ASSERT_TRUE(Put(*services_[1], {"before"}).ok());
  nodes_[1]->Hold(true);  // node 1 still routes to the two parents
  ASSERT_TRUE(
      Sync([&](auto d) { services_[0]->MergeShards(stream_, "shardId-000000000000", "shardId-000000000001", d); })
          .ok());
  // Keys of both parents, interleaved: both parents refuse them (sealed), and
  // all of them land in the child in the order of the request.
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) keys.push_back("key-" + std::to_string(i));
  auto put = Put(*services_[1], keys);
  ASSERT_TRUE(put.ok()) << put.status().message();
  for (const PutResult& r : *put) {
    ASSERT_TRUE(r.error.ok()) << r.error.message();
    EXPECT_EQ(r.shard_id, "shardId-000000000002");
  }
  EXPECT_EQ(ReadAll(*services_[0], "shardId-000000000002"), keys);
}

TEST_F(NodesTest, AReshardRecordedAnswersOkThoughCarryingItOutFailedOnce) {
  // Nodes race to carry out a reshard (each learns of it and settles it); a
  // store call of the node answering may fail meanwhile. The reshard is
  // recorded then: an error would make a client's retry find its shard
  // already split.
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 1, d); }).ok());
  std::atomic<int> faults{2};  // the node's first try, and its background's
  store_.create_log_fault = [&](store::ShardKey) {
    return faults.fetch_sub(1) > 0 ? Status::Unavailable("injected: no quorum") : Status::Ok();
  };
  Status split = Sync([&](auto d) {
    services_[0]->SplitShard(stream_, "shardId-000000000000", "170141183460469231731687303715884105728", d);
  });
  EXPECT_TRUE(split.ok()) << split.message();
  for (auto& service : services_) {
    auto described = service->DescribeStream(stream_, {}, {});
    ASSERT_TRUE(described.ok()) << described.status().message();
    EXPECT_EQ(described->status, StreamStatus::kActive);
    EXPECT_EQ(described->shards.size(), 3u);
  }
  auto put = Put(*services_[1], {"after"});
  ASSERT_TRUE(put.ok()) << put.status().message();
  ASSERT_TRUE((*put)[0].error.ok()) << (*put)[0].error.message();
  EXPECT_NE((*put)[0].shard_id, "shardId-000000000000");
}

TEST_F(NodesTest, ASubscriptionOnOneNodeIsTakenOverFromTheOther) {
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 1, d); }).ok());
  StatusOr<ConsumerDescription> consumer = Status::Internal("not called");
  services_[0]->RegisterConsumer(stream_, "c1", [&](StatusOr<ConsumerDescription> c) { consumer = c; });
  ASSERT_TRUE(consumer.ok());
  SubscriptionRequest request;
  request.stream = stream_;
  request.consumer = "c1";
  request.shard_id = "shardId-000000000000";
  request.start.type = IteratorType::kLatest;
  auto first = SubscribeOf(*services_[0], request);
  ASSERT_TRUE(first.ok()) << first.status().message();
  // Within 5 seconds, through any node: refused.
  EXPECT_EQ(SubscribeOf(*services_[1], request).status().code(), Errc::kResourceInUse);
  clock_.Advance(5000);
  auto second = SubscribeOf(*services_[1], request);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(ReadOf(*services_[0], *first, 10, 1024).status().code(), Errc::kResourceInUse);
  EXPECT_TRUE(ReadOf(*services_[1], *second, 10, 1024).ok());
}

// Node 0 counts the account's shards and then, while it creates its logs,
// node 1 creates a stream too: without a lock across nodes both would pass
// the limit of 4 with 3 shards each. Node 1 waits for node 0's lock instead.
TEST_F(NodesTest, CreatesRacingThroughTwoNodesStayWithinTheShardLimit) {
  ServiceOptions options;
  options.shard_limit = 4;
  std::unique_ptr<StreamService> limited[2];
  for (int i = 0; i < 2; ++i) {
    auto opened = StreamService::Open(*nodes_[i], clock_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    limited[i] = std::move(*opened);
  }
  std::promise<void> paused, resume;
  std::atomic<bool> first{true};
  store_.on_create_log = [&] {
    if (first.exchange(false)) {
      paused.set_value();
      resume.get_future().wait();
    }
  };
  Status created[2] = {Status::Internal("not run"), Status::Internal("not run")};
  std::thread a([&] { created[0] = Sync([&](auto d) { limited[0]->CreateStream({"000000000000", "us-east-1", "a"}, 3, d); }); });
  paused.get_future().wait();
  std::atomic<bool> b_done{false};
  std::thread b([&] {
    created[1] = Sync([&](auto d) { limited[1]->CreateStream({"000000000000", "us-east-1", "b"}, 3, d); });
    b_done = true;
  });
  // Give node 1 the time to pass node 0 (which it would without the lock).
  for (int i = 0; i < 100 && !b_done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  resume.set_value();
  a.join();
  b.join();
  EXPECT_TRUE(created[0].ok()) << created[0].message();
  EXPECT_EQ(created[1].code(), Errc::kLimitExceeded) << created[1].message();
  // The lock is released: node 1 creates within the limit at once.
  EXPECT_TRUE(Sync([&](auto d) { limited[1]->CreateStream({"000000000000", "us-east-1", "c"}, 1, d); }).ok());
  auto lock = store_.GetMeta("lock/shards/000000000000/us-east-1", false);
  ASSERT_TRUE(lock.ok());
  EXPECT_FALSE(lock->has_value()) << "released locks are deleted";
}

TEST_F(NodesTest, AShardLimitLockLeftByADeadNodeIsTakenOverOnceStale) {
  std::string stale(1, '\x01');
  PutI64(stale, clock_.NowMs() - ShardLimitLocks::kStaleMs - 1);
  std::promise<StatusOr<uint64_t>> written;
  store_.WriteMeta({"lock/shards/000000000000/us-east-1", stale, store::kMustNotExist},
                   [&](StatusOr<uint64_t> r) { written.set_value(r); });
  ASSERT_TRUE(written.get_future().get().ok());
  EXPECT_TRUE(Sync([&](auto d) { services_[1]->CreateStream(stream_, 2, d); }).ok());
  EXPECT_TRUE(Sync([&](auto d) { services_[0]->SplitShard(stream_, "shardId-000000000000",
                                                           "100000000000000000000000000000000000", d); }).ok());
}

TEST_F(NodesTest, OrphanLogsAreCollected) {
  ASSERT_TRUE(Sync([&](auto d) { services_[0]->CreateStream(stream_, 2, d); }).ok());
  ASSERT_TRUE(store_.CreateLog({999, 0}, {}).ok());  // as left by a node that died mid-create
  ASSERT_EQ(store_.log_count(), 3u);
  ASSERT_TRUE(services_[1]->CollectOrphanLogs(0).ok());
  EXPECT_EQ(store_.log_count(), 2u);
  EXPECT_EQ(ReadAll(*services_[1], "shardId-000000000001"), std::vector<std::string>{});
}

}  // namespace
}  // namespace riffle::core
