// SubscribeToShard in core: starting checks, the 5-second rule and
// takeover, reads with continuation numbers, wake-ups from PutRecords and
// resharding, the end of a closed shard, and lifetime — on a ManualClock.
#include <gtest/gtest.h>

#include <atomic>

#include "core/fake_store_for_test.h"
#include "core/service_calls_for_test.h"
#include "core/sequence_number.h"
#include "core/stream_service.h"

namespace riffle::core {
namespace {

class SubscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceOptions options;
    options.subscription_ms = 60000;
    auto opened = StreamService::Open(store_, clock_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    service_ = std::move(*opened);
    service_->CreateStream(stream_, 1, [](Status s) { ASSERT_TRUE(s.ok()); });
    service_->RegisterConsumer(stream_, "app", [&](StatusOr<ConsumerDescription> r) {
      ASSERT_TRUE(r.ok());
      consumer_created_s_ = r->created_ms / 1000;
    });
  }
  std::vector<std::string> Put(const std::vector<std::string>& data) {
    std::vector<PutEntry> entries;
    for (auto& d : data) entries.push_back({"pk", d, std::nullopt});
    std::vector<std::string> seqs;
    service_->PutRecords(stream_, entries, std::nullopt, [&](StatusOr<std::vector<PutResult>> r) {
      ASSERT_TRUE(r.ok());
      for (auto& p : *r) seqs.push_back(p.sequence_number);
    });
    return seqs;
  }
  SubscriptionRequest Request(IteratorType type, std::optional<std::string> seq = std::nullopt) {
    SubscriptionRequest r;
    r.stream = stream_;
    r.consumer = "app";
    r.consumer_created_seconds = consumer_created_s_;
    r.shard_id = "shardId-000000000000";
    r.start.type = type;
    r.start.starting_sequence_number = std::move(seq);
    return r;
  }
  std::vector<std::string> Data(const SubscriptionBatch& b) {
    std::vector<std::string> out;
    for (auto& r : b.page.records) out.emplace_back(r.data);
    return out;
  }

  FakeStore store_;
  ManualClock clock_{1700000000000};
  std::unique_ptr<StreamService> service_;
  StreamAddress stream_{"000000000000", "us-east-1", "s1"};
  int64_t consumer_created_s_ = 0;
};

TEST_F(SubscriptionTest, ReadsFromTheStartingPositionWithContinuation) {
  auto seqs = Put({"a", "b", "c"});
  auto sub = SubscribeOf(*service_, Request(IteratorType::kAfterSequenceNumber, seqs[0]));
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  auto batch = ReadOf(*service_, *sub, 10000, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(Data(*batch), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(batch->continuation, seqs[2]);
  EXPECT_FALSE(batch->shard_end);
  // Nothing new: an empty batch whose continuation resumes right after "c".
  auto empty = ReadOf(*service_, *sub, 10000, 1 << 20);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->page.records.empty());
  auto parsed = SequenceNumber::Parse(empty->continuation);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->counter, SequenceNumber::Parse(seqs[2])->counter);
}

TEST_F(SubscriptionTest, PutRecordsWakesTheShardsWatchers) {
  auto sub = SubscribeOf(*service_, Request(IteratorType::kLatest));
  ASSERT_TRUE(sub.ok());
  std::atomic<int> woken{0};
  service_->notifier().Watch(sub->incarnation, sub->shard_index, [&] { ++woken; });
  uint64_t cancelled = service_->notifier().Watch(sub->incarnation, sub->shard_index, [&] { woken += 100; });
  service_->notifier().Cancel(cancelled);
  Put({"x"});
  EXPECT_EQ(woken.load(), 1);
  Put({"y"});  // one-shot: no second call
  EXPECT_EQ(woken.load(), 1);
  auto batch = ReadOf(*service_, *sub, 10000, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(Data(*batch), (std::vector<std::string>{"x", "y"}));
}

TEST_F(SubscriptionTest, FiveSecondRuleAndTakeover) {
  auto first = SubscribeOf(*service_, Request(IteratorType::kLatest));
  ASSERT_TRUE(first.ok());
  auto again = SubscribeOf(*service_, Request(IteratorType::kLatest));
  EXPECT_EQ(again.status().code(), Errc::kResourceInUse);
  EXPECT_EQ(again.status().message(),
            "Another active subscription exists for this consumer: 000000000000:s1:shardId-000000000000:app");
  clock_.Advance(5000);
  auto second = SubscribeOf(*service_, Request(IteratorType::kLatest));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(ReadOf(*service_, *first, 10, 1024).status().code(), Errc::kResourceInUse);
  EXPECT_TRUE(ReadOf(*service_, *second, 10, 1024).ok());
}

TEST_F(SubscriptionTest, StartingChecks) {
  SubscriptionRequest unknown = Request(IteratorType::kLatest);
  unknown.consumer = "nobody";
  EXPECT_EQ(SubscribeOf(*service_, unknown).status().code(), Errc::kResourceNotFound);
  SubscriptionRequest stale = Request(IteratorType::kLatest);
  stale.consumer_created_seconds = consumer_created_s_ + 1;
  EXPECT_EQ(SubscribeOf(*service_, stale).status().code(), Errc::kResourceNotFound);
  SubscriptionRequest shard = Request(IteratorType::kLatest);
  shard.shard_id = "shardId-000000000005";
  EXPECT_EQ(SubscribeOf(*service_, shard).status().code(), Errc::kResourceNotFound);
  auto no_seq = SubscribeOf(*service_, Request(IteratorType::kAtSequenceNumber));
  EXPECT_EQ(no_seq.status().code(), Errc::kInvalidArgument);
  auto bad_seq = SubscribeOf(*service_, Request(IteratorType::kAtSequenceNumber, std::string(56, '9')));
  EXPECT_EQ(bad_seq.status().code(), Errc::kInvalidArgument);
  EXPECT_NE(bad_seq.status().message().find("used in SubscribeToShard"), std::string::npos)
      << bad_seq.status().message();
}

TEST_F(SubscriptionTest, ClosedShardEndsWithChildShards) {
  auto sub = SubscribeOf(*service_, Request(IteratorType::kTrimHorizon));
  ASSERT_TRUE(sub.ok());
  Put({"a"});
  std::atomic<int> woken{0};
  service_->notifier().Watch(sub->incarnation, sub->shard_index, [&] { ++woken; });
  service_->SplitShard(stream_, "shardId-000000000000", "170141183460469231731687303715884105728",
                       [](Status s) { ASSERT_TRUE(s.ok()); });
  EXPECT_EQ(woken.load(), 1);
  auto batch = ReadOf(*service_, *sub, 10000, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(Data(*batch), (std::vector<std::string>{"a"}));
  if (!batch->shard_end) {
    batch = ReadOf(*service_, *sub, 10000, 1 << 20);
    ASSERT_TRUE(batch.ok());
  }
  EXPECT_TRUE(batch->shard_end);
  ASSERT_EQ(batch->page.child_shards.size(), 2u);
  EXPECT_EQ(batch->page.child_shards[0].parent_shards, (std::vector<std::string>{"shardId-000000000000"}));
}

TEST_F(SubscriptionTest, DeregisteredConsumerEndsTheSubscription) {
  auto sub = SubscribeOf(*service_, Request(IteratorType::kLatest));
  ASSERT_TRUE(sub.ok());
  std::atomic<int> woken{0};
  service_->notifier().Watch(sub->incarnation, sub->shard_index, [&] { ++woken; });
  service_->DeregisterConsumer(stream_, "app", std::nullopt, [](Status s) { ASSERT_TRUE(s.ok()); });
  EXPECT_EQ(woken.load(), 1);
  EXPECT_EQ(ReadOf(*service_, *sub, 10, 1024).status().code(), Errc::kResourceNotFound);
}

TEST_F(SubscriptionTest, LifetimeIsTheConfiguredDuration) {
  auto sub = SubscribeOf(*service_, Request(IteratorType::kLatest));
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->expires_ms, clock_.NowMs() + 60000);
}

}  // namespace
}  // namespace riffle::core
