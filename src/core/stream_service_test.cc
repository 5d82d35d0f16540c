// StreamService over an in-memory fake store: lifecycle with an injected
// clock, routing, reads, iterator expiry, resharding lineage and limits.
#include "core/stream_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "core/fake_store_for_test.h"
#include "core/service_calls_for_test.h"
#include "core/retention.h"
#include "core/sequence_number.h"

namespace riffle::core {
namespace {

class StreamServiceTest : public ::testing::Test {
 protected:
  void SetUpService(ServiceOptions options = {}) {
    auto opened = StreamService::Open(store_, clock_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    service_ = std::move(*opened);
  }
  Status Sync(std::function<void(StreamService::Done)> call) {
    Status result = Status::Internal("not called");
    call([&](Status s) { result = s; });
    return result;
  }
  std::vector<PutResult> Put(const StreamAddress& a, const std::vector<std::string>& keys) {
    std::vector<PutEntry> entries;
    for (auto& k : keys) entries.push_back({k, "data-" + k, std::nullopt});
    std::vector<PutResult> out;
    service_->PutRecords(a, entries, std::nullopt, [&](StatusOr<std::vector<PutResult>> r) {
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (r.ok()) out = *r;
    });
    return out;
  }

  FakeStore store_;
  ManualClock clock_{1700000000000};
  std::unique_ptr<StreamService> service_;
  StreamAddress stream_{"000000000000", "us-east-1", "s1"};
};

TEST_F(StreamServiceTest, CreatingBecomesActiveWhenDue) {
  ServiceOptions options;
  options.create_stream_ms = 500;
  SetUpService(options);
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->status, StreamStatus::kCreating);
  Status split = Sync([&](auto d) { service_->SplitShard(stream_, "shardId-000000000000", "100", d); });
  EXPECT_EQ(split.code(), Errc::kResourceInUse);
  EXPECT_EQ(split.message(), "Stream s1 under account 000000000000 not ACTIVE, instead in state CREATING");
  clock_.Advance(500);
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->status, StreamStatus::kActive);
  Status again = Sync([&](auto d) { service_->CreateStream(stream_, 1, d); });
  EXPECT_EQ(again.code(), Errc::kResourceInUse);
}

// Creating replicated logs takes time (JetStream); CREATING lasts its whole
// delay from when the stream is recorded, as the caller sees it.
TEST_F(StreamServiceTest, CreatingLastsItsDelayAfterSlowLogCreation) {
  ServiceOptions options;
  options.create_stream_ms = 500;
  SetUpService(options);
  store_.on_create_log = [this] { clock_.Advance(300); };
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  store_.on_create_log = nullptr;
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->status, StreamStatus::kCreating);
  clock_.Advance(499);
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->status, StreamStatus::kCreating);
  clock_.Advance(1);
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->status, StreamStatus::kActive);
}

TEST_F(StreamServiceTest, RoutesByMd5AndReadsInOrder) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 4, d); }).ok());
  auto results = Put(stream_, {"a", "b", "c", "a", "a"});
  ASSERT_EQ(results.size(), 5u);
  auto description = service_->DescribeStream(stream_, {}, {});
  for (size_t i = 0; i < results.size(); ++i) {
    HashKey key = HashKey::FromPartitionKey(std::vector<std::string>{"a", "b", "c", "a", "a"}[i]);
    for (auto& shard : description->shards) {
      if (shard.range.Contains(key)) {
        EXPECT_EQ(shard.shard_id, results[i].shard_id);
      }
    }
  }
  auto iterator = IteratorOf(*service_, stream_, results[0].shard_id, {IteratorType::kTrimHorizon, {}, {}});
  ASSERT_TRUE(iterator.ok());
  auto page = RecordsOf(*service_, *iterator, {});
  ASSERT_TRUE(page.ok());
  std::vector<std::string> seen;
  for (auto& r : page->records) {
    if (r.partition_key == "a") seen.push_back(r.sequence_number);
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], results[0].sequence_number);
  EXPECT_EQ(seen[2], results[4].sequence_number);
  EXPECT_TRUE(page->next_shard_iterator);
}

TEST_F(StreamServiceTest, IteratorsExpireAfterFiveMinutes) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  auto iterator = IteratorOf(*service_, stream_, "shardId-000000000000", {IteratorType::kLatest, {}, {}});
  ASSERT_TRUE(iterator.ok());
  clock_.Advance(ShardIterator::kLifetimeMs);
  EXPECT_TRUE(RecordsOf(*service_, *iterator, {}).ok());
  clock_.Advance(1);
  auto expired = RecordsOf(*service_, *iterator, {});
  EXPECT_EQ(expired.status().code(), Errc::kExpiredIterator);
  EXPECT_EQ(RecordsOf(*service_, "garbage", {}).status().message(), "Invalid ShardIterator.");
}

TEST_F(StreamServiceTest, SplitClosesParentAndReaderFollowsLineage) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  auto before = Put(stream_, {"x"});
  auto half = UniformRange(1, 2).start.ToDecimal();
  ASSERT_TRUE(Sync([&](auto d) { service_->SplitShard(stream_, "shardId-000000000000", half, d); }).ok());
  auto d = service_->DescribeStream(stream_, {}, {});
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_TRUE(d->shards[0].ending_sequence_number);
  EXPECT_EQ(d->shards[1].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[2].range.start.ToDecimal(), half);
  auto after = Put(stream_, {"x"});
  EXPECT_NE(after[0].shard_id, "shardId-000000000000");

  auto iterator = IteratorOf(*service_, stream_, "shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
  auto page = RecordsOf(*service_, *iterator, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_FALSE(page->next_shard_iterator);
  ASSERT_EQ(page->child_shards.size(), 2u);
  // Children's numbers are above the parent's.
  auto parent_seq = SequenceNumber::Parse(before[0].sequence_number);
  auto child_seq = SequenceNumber::Parse(after[0].sequence_number);
  EXPECT_GT(child_seq->counter, parent_seq->counter);
}

TEST_F(StreamServiceTest, MergeNeedsAdjacentShardsAndShardLimitHolds) {
  ServiceOptions options;
  options.shard_limit = 3;
  SetUpService(options);
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 3, d); }).ok());
  Status far = Sync([&](auto d) { service_->MergeShards(stream_, "shardId-000000000000", "shardId-000000000002", d); });
  EXPECT_EQ(far.code(), Errc::kInvalidArgument);
  Status limit = Sync([&](auto d) {
    service_->SplitShard(stream_, "shardId-000000000000", UniformRange(0, 6).end.ToDecimal(), d);
  });
  EXPECT_EQ(limit.code(), Errc::kLimitExceeded);
  // The lower shard comes first; the inverted pair is refused, as in Kinesis.
  Status inverted =
      Sync([&](auto d) { service_->MergeShards(stream_, "shardId-000000000001", "shardId-000000000000", d); });
  EXPECT_EQ(inverted.code(), Errc::kInvalidArgument);
  ASSERT_TRUE(
      Sync([&](auto d) { service_->MergeShards(stream_, "shardId-000000000000", "shardId-000000000001", d); }).ok());
  auto d = service_->DescribeStream(stream_, {}, {});
  ASSERT_EQ(d->shards.size(), 4u);
  EXPECT_EQ(d->shards[3].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[3].adjacent_parent_shard_id, "shardId-000000000001");
  EXPECT_EQ(d->shards[3].range.start, HashKey());
}

TEST_F(StreamServiceTest, RecreatedStreamNeverReusesSequenceNumbers) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  auto first = Put(stream_, {"k"});
  ASSERT_TRUE(Sync([&](auto d) { service_->DeleteStream(stream_, false, d); }).ok());
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {}).status().message(),
            "Stream s1 under account 000000000000 not found.");
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  auto second = Put(stream_, {"k"});
  EXPECT_GT(SequenceNumber::Parse(second[0].sequence_number)->incarnation,
            SequenceNumber::Parse(first[0].sequence_number)->incarnation);
  EXPECT_GT(second[0].sequence_number, first[0].sequence_number);
}

TEST_F(StreamServiceTest, StateSurvivesReopen) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  ASSERT_TRUE(Sync([&](auto d) { service_->AddTags(stream_, {{"env", "test"}}, d); }).ok());
  auto first = Put(stream_, {"k"});
  auto iterator = IteratorOf(*service_, stream_, first[0].shard_id, {IteratorType::kTrimHorizon, {}, {}});
  service_.reset();
  SetUpService();
  auto tags = service_->ListTags(stream_, {}, {});
  ASSERT_EQ(tags->tags.size(), 1u);
  auto page = RecordsOf(*service_, *iterator, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  auto second = Put(stream_, {"k"});
  EXPECT_GT(SequenceNumber::Parse(second[0].sequence_number)->counter,
            SequenceNumber::Parse(first[0].sequence_number)->counter);
}

TEST_F(StreamServiceTest, SequenceNumberFromAnotherShardIsRejected) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  auto put = Put(stream_, {"k"});
  std::string other = put[0].shard_id == "shardId-000000000000" ? "shardId-000000000001" : "shardId-000000000000";
  auto it = IteratorOf(*service_, stream_, other,
                                       {IteratorType::kAtSequenceNumber, put[0].sequence_number, std::nullopt});
  EXPECT_EQ(it.status().code(), Errc::kInvalidArgument);
  EXPECT_NE(it.status().message().find("Invalid StartingSequenceNumber. It encodes " + put[0].shard_id),
            std::string::npos);
}

// A shard's StartingSequenceNumber comes before its first record: AT and
// AFTER it both read the first record, on a fresh shard and on a child.
TEST_F(StreamServiceTest, ReadingAfterTheStartingSequenceNumberKeepsTheFirstRecord) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  auto first_of = [&](const std::string& shard_id, IteratorType type) -> std::string {
    auto description = service_->DescribeStream(stream_, {}, {});
    std::string start;
    for (auto& shard : description->shards) {
      if (shard.shard_id == shard_id) start = shard.starting_sequence_number;
    }
    auto iterator = IteratorOf(*service_, stream_, shard_id, {type, start, std::nullopt});
    if (!iterator.ok()) return "error: " + iterator.status().message();
    auto page = RecordsOf(*service_, *iterator, {});
    if (!page.ok() || page->records.empty()) return "none";
    return page->records.front().sequence_number;
  };
  auto put = Put(stream_, {"k", "k"});
  EXPECT_EQ(first_of("shardId-000000000000", IteratorType::kAtSequenceNumber), put[0].sequence_number);
  EXPECT_EQ(first_of("shardId-000000000000", IteratorType::kAfterSequenceNumber), put[0].sequence_number);

  ASSERT_TRUE(Sync([&](auto d) { service_->SplitShard(stream_, "shardId-000000000000", "100", d); }).ok());
  auto child_put = Put(stream_, {"k"});
  EXPECT_EQ(first_of(child_put[0].shard_id, IteratorType::kAfterSequenceNumber), child_put[0].sequence_number);
}

constexpr int64_t kDayMs = 24 * 3600 * 1000;

std::vector<std::string> Keys(const StatusOr<RecordsPage>& page) {
  std::vector<std::string> out;
  if (page.ok()) {
    for (const RecordOut& r : page->records) out.emplace_back(r.partition_key);
  }
  return out;
}

TEST_F(StreamServiceTest, RetentionTrimsExpiredRecordsAndMovesTheHorizon) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  const int64_t t0 = clock_.NowMs();
  auto old = Put(stream_, {"old1", "old2"});
  clock_.Advance(kDayMs / 2);
  auto mid = Put(stream_, {"mid"});
  clock_.Advance(kDayMs / 2 + 1);  // old1/old2 are now 24 h + 1 ms old, "mid" 12 h
  const std::string shard = "shardId-000000000000";
  auto before = IteratorOf(*service_, stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
  ASSERT_TRUE(before.ok());
  // Nothing is hidden before the trim runs.
  EXPECT_EQ(Keys(RecordsOf(*service_, *before, {})), (std::vector<std::string>{"old1", "old2", "mid"}));

  ASSERT_TRUE(service_->TrimExpired().ok());
  EXPECT_EQ(store_.trims.load(), 1);
  EXPECT_EQ(store_.Size({1, 0}), 1u);  // deleted from the store, not only hidden
  auto trim_horizon = IteratorOf(*service_, stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
  EXPECT_EQ(Keys(RecordsOf(*service_, *trim_horizon, {})), (std::vector<std::string>{"mid"}));
  auto at_time = IteratorOf(*service_, stream_, shard,
                                            {IteratorType::kAtTimestamp, {}, static_cast<double>(t0) / 1000.0});
  EXPECT_EQ(Keys(RecordsOf(*service_, *at_time, {})), (std::vector<std::string>{"mid"}));
  auto at_old = IteratorOf(*service_, stream_, shard,
                                           {IteratorType::kAtSequenceNumber, old[0].sequence_number, {}});
  EXPECT_EQ(Keys(RecordsOf(*service_, *at_old, {})), (std::vector<std::string>{"mid"}));
  // An iterator issued before the trim resumes at the horizon.
  EXPECT_EQ(Keys(RecordsOf(*service_, *before, {})), (std::vector<std::string>{"mid"}));
  // Nothing more is due: a second run trims nothing.
  ASSERT_TRUE(service_->TrimExpired().ok());
  EXPECT_EQ(store_.trims.load(), 1);
  // New records are unaffected; once "mid" expires too, only they remain.
  auto fresh = Put(stream_, {"new"});
  clock_.Advance(kDayMs / 2);
  ASSERT_TRUE(service_->TrimExpired().ok());
  auto latest = IteratorOf(*service_, stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
  EXPECT_EQ(Keys(RecordsOf(*service_, *latest, {})), (std::vector<std::string>{"new"}));
  ASSERT_EQ(mid.size(), 1u);
  ASSERT_EQ(fresh.size(), 1u);
}

TEST_F(StreamServiceTest, RetentionTrimsEverythingWhenAllExpired) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  Put(stream_, {"a", "b", "c", "d", "e"});
  clock_.Advance(kDayMs + 1);
  ASSERT_TRUE(service_->TrimExpired().ok());
  for (const char* shard : {"shardId-000000000000", "shardId-000000000001"}) {
    auto it = IteratorOf(*service_, stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
    ASSERT_TRUE(it.ok());
    EXPECT_TRUE(Keys(RecordsOf(*service_, *it, {})).empty()) << shard;
  }
  // Sequence numbers keep increasing after a full trim.
  auto next = Put(stream_, {"a"});
  ASSERT_EQ(next.size(), 1u);
  auto it = IteratorOf(*service_, stream_, next[0].shard_id, {IteratorType::kTrimHorizon, {}, {}});
  EXPECT_EQ(Keys(RecordsOf(*service_, *it, {})), (std::vector<std::string>{"a"}));
}

TEST_F(StreamServiceTest, RetentionTrimmerRunsInTheBackgroundAndStopWaits) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  Put(stream_, {"a"});
  clock_.Advance(kDayMs + 1);
  RetentionTrimmer trimmer(*service_, 1);
  trimmer.Start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (trimmer.runs() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  trimmer.Stop();
  EXPECT_GE(trimmer.runs(), 3u);
  EXPECT_EQ(store_.trims.load(), 1);  // one trim; later runs found nothing due
  const uint64_t runs = trimmer.runs();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(trimmer.runs(), runs);  // stopped means stopped
  trimmer.Stop();                   // idempotent
}

// --- ListShards, DescribeStreamSummary, UpdateShardCount, retention, limits, monitoring.

TEST_F(StreamServiceTest, ListShardsPagesWithExpiringNextToken) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 5, d); }).ok());
  ListShardsRequest first;
  first.stream = stream_;
  first.max_results = 2;
  auto page1 = service_->ListShards(first);
  ASSERT_TRUE(page1.ok()) << page1.status().message();
  ASSERT_EQ(page1->shards.size(), 2u);
  EXPECT_EQ(page1->shards[1].shard_id, "shardId-000000000001");
  ASSERT_TRUE(page1->next_token);
  ListShardsRequest next;
  next.next_token = page1->next_token;
  next.max_results = 10;
  auto page2 = service_->ListShards(next);
  ASSERT_TRUE(page2.ok()) << page2.status().message();
  ASSERT_EQ(page2->shards.size(), 3u);
  EXPECT_EQ(page2->shards[0].shard_id, "shardId-000000000002");
  EXPECT_FALSE(page2->next_token);
  // Tokens live 300 s.
  clock_.Advance(300 * 1000);
  EXPECT_TRUE(service_->ListShards(next).ok());
  clock_.Advance(1);
  EXPECT_EQ(service_->ListShards(next).status().code(), Errc::kExpiredNextToken);
  // Forged tokens are rejected.
  next.next_token = *page1->next_token + "A";
  EXPECT_EQ(service_->ListShards(next).status().code(), Errc::kInvalidArgument);
  // ExclusiveStartShardId.
  ListShardsRequest after;
  after.stream = stream_;
  after.exclusive_start_shard_id = "shardId-000000000003";
  auto tail = service_->ListShards(after);
  ASSERT_EQ(tail->shards.size(), 1u);
  EXPECT_EQ(tail->shards[0].shard_id, "shardId-000000000004");
  // A stream deleted and re-created under the same name invalidates tokens.
  auto old_token = service_->ListShards(first)->next_token;
  ASSERT_TRUE(Sync([&](auto d) { service_->DeleteStream(stream_, false, d); }).ok());
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 5, d); }).ok());
  next.next_token = service_->ListShards(first)->next_token;
  EXPECT_TRUE(service_->ListShards(next).ok());
  next.next_token = old_token;
  EXPECT_EQ(service_->ListShards(next).status().code(), Errc::kResourceNotFound);
}

TEST_F(StreamServiceTest, ListShardsFilters) {
  SetUpService();
  int64_t created = clock_.NowMs();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  clock_.Advance(10000);
  int64_t split_at = clock_.NowMs();
  auto mid = UniformRange(1, 4).start.ToDecimal();  // inside shard 0
  ASSERT_TRUE(Sync([&](auto d) { service_->SplitShard(stream_, "shardId-000000000000", mid, d); }).ok());
  clock_.Advance(10000);
  auto ids = [&](std::optional<ShardFilter> filter) {
    ListShardsRequest r;
    r.stream = stream_;
    r.filter = filter;
    auto listed = service_->ListShards(r);
    EXPECT_TRUE(listed.ok()) << listed.status().message();
    std::vector<std::string> out;
    for (auto& shard : listed->shards) out.push_back(shard.shard_id.substr(8));
    return out;
  };
  using V = std::vector<std::string>;
  V all = {"000000000000", "000000000001", "000000000002", "000000000003"};
  EXPECT_EQ(ids(std::nullopt), all);
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kFromTrimHorizon, {}, {}}), all);
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kAtLatest, {}, {}}), (V{"000000000001", "000000000002", "000000000003"}));
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kAtTrimHorizon, {}, {}}), (V{"000000000000", "000000000001"}));
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kAfterShardId, "shardId-000000000001", {}}),
            (V{"000000000002", "000000000003"}));
  double before_split = (created + 5000) / 1000.0;
  double after_split = (split_at + 5000) / 1000.0;
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kAtTimestamp, {}, before_split}), (V{"000000000000", "000000000001"}));
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kAtTimestamp, {}, after_split}),
            (V{"000000000001", "000000000002", "000000000003"}));
  // Before the stream existed: corrected to the trim horizon (its creation).
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kAtTimestamp, {}, 1.0}), (V{"000000000000", "000000000001"}));
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kFromTimestamp, {}, before_split}), all);
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kFromTimestamp, {}, after_split}),
            (V{"000000000001", "000000000002", "000000000003"}));
  // After the retention period the closed parent is beyond the trim horizon.
  clock_.Advance(25LL * 3600 * 1000);
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kFromTrimHorizon, {}, {}}),
            (V{"000000000001", "000000000002", "000000000003"}));
  EXPECT_EQ(ids(ShardFilter{ShardFilterType::kAtTrimHorizon, {}, {}}),
            (V{"000000000001", "000000000002", "000000000003"}));
  // Filter members that do not belong to the type.
  ListShardsRequest bad;
  bad.stream = stream_;
  bad.filter = ShardFilter{ShardFilterType::kAfterShardId, {}, {}};
  EXPECT_EQ(service_->ListShards(bad).status().code(), Errc::kInvalidArgument);
  bad.filter = ShardFilter{ShardFilterType::kAtTimestamp, {}, {}};
  EXPECT_EQ(service_->ListShards(bad).status().code(), Errc::kInvalidArgument);
  // StreamCreationTimestamp must match the stream's.
  ListShardsRequest stamped;
  stamped.stream = stream_;
  stamped.stream_creation_seconds = created / 1000.0;
  EXPECT_TRUE(service_->ListShards(stamped).ok());
  stamped.stream_creation_seconds = created / 1000.0 - 5;
  EXPECT_EQ(service_->ListShards(stamped).status().code(), Errc::kResourceNotFound);
}

TEST_F(StreamServiceTest, DescribeStreamSummaryCountsOpenShards) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 3, d); }).ok());
  ASSERT_TRUE(
      Sync([&](auto d) { service_->MergeShards(stream_, "shardId-000000000000", "shardId-000000000001", d); }).ok());
  auto summary = service_->DescribeStreamSummary(stream_);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->open_shard_count, 2);
  EXPECT_EQ(summary->consumer_count, 0);
  EXPECT_EQ(summary->retention_hours, 24);
  EXPECT_EQ(summary->arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s1");
  EXPECT_TRUE(summary->shard_level_metrics.empty());
  EXPECT_EQ(service_->DescribeStreamSummary({"000000000000", "us-east-1", "nope"}).status().code(),
            Errc::kResourceNotFound);
}

// Open shards of a description, checked to partition the hash space evenly,
// and every closed shard reachable from the open ones through parents.
void ExpectUniform(const StreamDescription& d, uint32_t target) {
  std::vector<const ShardDescription*> open;
  for (auto& shard : d.shards) {
    if (!shard.ending_sequence_number) open.push_back(&shard);
  }
  ASSERT_EQ(open.size(), target);
  std::sort(open.begin(), open.end(), [](auto* a, auto* b) { return a->range.start < b->range.start; });
  for (uint32_t j = 0; j < target; ++j) {
    EXPECT_EQ(open[j]->range.start, UniformRange(j, target).start) << j;
    EXPECT_EQ(open[j]->range.end, UniformRange(j, target).end) << j;
  }
}

TEST_F(StreamServiceTest, UpdateShardCountScalesUniformlyWithLineage) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  auto before = Put(stream_, {"a", "b", "c", "d"});
  ShardCountUpdate update;
  auto scale = [&](int64_t target) {
    Status result = Status::Internal("not called");
    service_->UpdateShardCount(stream_, target, [&](StatusOr<ShardCountUpdate> r) {
      result = r.status();
      if (r.ok()) update = *r;
    });
    return result;
  };
  ASSERT_TRUE(scale(3).ok());
  EXPECT_EQ(update.current_shard_count, 2);
  EXPECT_EQ(update.target_shard_count, 3);
  auto d = service_->DescribeStream(stream_, {}, {});
  ExpectUniform(*d, 3);
  // Every new open shard descends from the old shards overlapping it, with at most two parents each.
  for (auto& shard : d->shards) {
    if (shard.shard_id > "shardId-000000000001") {
      EXPECT_TRUE(shard.parent_shard_id) << shard.shard_id;
    }
  }
  // Readers follow: the old shard ends with child shards, and new records get larger sequence numbers.
  auto it = IteratorOf(*service_, stream_, "shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
  auto page = RecordsOf(*service_, *it, {});
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->next_shard_iterator);
  EXPECT_FALSE(page->child_shards.empty());
  auto after = Put(stream_, {"a"});
  EXPECT_GT(SequenceNumber::Parse(after[0].sequence_number)->counter, 0u);

  ASSERT_TRUE(scale(6).ok());
  ExpectUniform(*service_->DescribeStream(stream_, {}, {}), 6);
  ASSERT_TRUE(scale(3).ok());
  ExpectUniform(*service_->DescribeStream(stream_, {}, {}), 3);
  // Scaling to the current uniform count changes nothing.
  size_t count = service_->DescribeStream(stream_, {}, {})->shards.size();
  ASSERT_TRUE(scale(3).ok());
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->shards.size(), count);

  EXPECT_EQ(scale(7).message(),
            "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 3, "
            "Target shard count: 7");
  EXPECT_EQ(scale(1).message(),
            "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: "
            "3, Target shard count: 1");
  EXPECT_EQ(scale(1).code(), Errc::kLimitExceeded);
  // The state survives a restart.
  service_.reset();
  SetUpService();
  ExpectUniform(*service_->DescribeStream(stream_, {}, {}), 3);
}

TEST_F(StreamServiceTest, UpdateShardCountWaitsWhileUpdatingAndHonoursShardLimit) {
  ServiceOptions options;
  options.update_stream_ms = 1000;
  options.shard_limit = 6;
  SetUpService(options);
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  Status result;
  service_->UpdateShardCount(stream_, 4, [&](StatusOr<ShardCountUpdate> r) { result = r.status(); });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->status, StreamStatus::kUpdating);
  EXPECT_EQ(service_->DescribeLimits("000000000000", "us-east-1").open_shard_count, 4);
  service_->UpdateShardCount(stream_, 3, [&](StatusOr<ShardCountUpdate> r) { result = r.status(); });
  EXPECT_EQ(result.code(), Errc::kResourceInUse);
  // Pending scaling survives a restart and applies when due.
  service_.reset();
  SetUpService(options);
  clock_.Advance(1000);
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->status, StreamStatus::kActive);
  ExpectUniform(*service_->DescribeStream(stream_, {}, {}), 4);
  service_->UpdateShardCount(stream_, 7, [&](StatusOr<ShardCountUpdate> r) { result = r.status(); });
  EXPECT_EQ(result.message(),
            "Target shard count or number of open shards cannot be greater than 6. Current open shard count: 4, "
            "Target shard count: 7");
}

TEST_F(StreamServiceTest, RetentionLimitsAndMonitoring) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 2, d); }).ok());
  auto inc = [&](int64_t h) { return Sync([&](auto d) { service_->IncreaseRetention(stream_, h, d); }); };
  auto dec = [&](int64_t h) { return Sync([&](auto d) { service_->DecreaseRetention(stream_, h, d); }); };
  EXPECT_EQ(inc(23).message(),
            "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.");
  EXPECT_EQ(inc(8761).message(),
            "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.");
  ASSERT_TRUE(inc(48).ok());
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->retention_hours, 48);
  EXPECT_EQ(inc(36).message(),
            "Requested retention period (36 hours) for stream s1 can not be shorter than existing retention period "
            "(48 hours). Use DecreaseRetentionPeriod API.");
  EXPECT_EQ(dec(72).message(),
            "Requested retention period (72 hours) for stream s1 can not be longer than existing retention period "
            "(48 hours). Use IncreaseRetentionPeriod API.");
  ASSERT_TRUE(dec(24).ok());
  ASSERT_TRUE(inc(24).ok());  // equal is allowed both ways
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->retention_hours, 24);

  AccountLimits limits = service_->DescribeLimits("000000000000", "us-east-1");
  EXPECT_EQ(limits.shard_limit, 500);
  EXPECT_EQ(limits.open_shard_count, 2);
  EXPECT_EQ(limits.on_demand_stream_count, 0);
  EXPECT_EQ(limits.on_demand_stream_count_limit, 50);
  EXPECT_EQ(service_->DescribeLimits("000000000000", "eu-west-1").open_shard_count, 0);

  MetricsUpdate update;
  auto set = [&](std::vector<std::string> metrics, bool enable) {
    Status result = Status::Internal("not called");
    service_->SetEnhancedMonitoring(stream_, metrics, enable, [&](StatusOr<MetricsUpdate> r) {
      result = r.status();
      if (r.ok()) update = *r;
    });
    return result;
  };
  ASSERT_TRUE(set({"OutgoingBytes", "IncomingBytes"}, true).ok());
  EXPECT_TRUE(update.current.empty());
  EXPECT_EQ(update.desired, (std::vector<std::string>{"IncomingBytes", "OutgoingBytes"}));
  ASSERT_TRUE(set({"ALL"}, true).ok());
  EXPECT_EQ(update.desired.size(), 7u);
  ASSERT_TRUE(set({"IncomingBytes"}, false).ok());
  EXPECT_EQ(update.current.size(), 7u);
  EXPECT_EQ(update.desired.size(), 6u);
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->shard_level_metrics.size(), 6u);
  ASSERT_TRUE(set({"ALL"}, false).ok());
  EXPECT_TRUE(update.desired.empty());
  ASSERT_TRUE(set({"IteratorAgeMilliseconds"}, true).ok());
  service_.reset();
  SetUpService();
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->shard_level_metrics,
            (std::vector<std::string>{"IteratorAgeMilliseconds"}));
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->retention_hours, 24);
}

TEST_F(StreamServiceTest, StreamEncryptionIsReportedEverywhere) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  auto set = [&](bool start, std::string type) {
    return Sync([&](auto d) { service_->SetStreamEncryption(stream_, start, type, "alias/aws/kinesis", d); });
  };
  EXPECT_EQ(set(true, "NONE").code(), Errc::kInvalidArgument);
  EXPECT_FALSE(Put(stream_, {"k"})[0].encrypted);
  ASSERT_TRUE(set(true, "KMS").ok());
  auto d = service_->DescribeStream(stream_, {}, {});
  EXPECT_TRUE(d->encrypted);
  EXPECT_EQ(d->key_id, "alias/aws/kinesis");
  EXPECT_TRUE(service_->DescribeStreamSummary(stream_)->encrypted);
  EXPECT_TRUE(Put(stream_, {"k"})[0].encrypted);
  auto it = IteratorOf(*service_, stream_, "shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
  EXPECT_TRUE(RecordsOf(*service_, *it, {})->encrypted);
  service_.reset();
  SetUpService();
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->key_id, "alias/aws/kinesis");
  ASSERT_TRUE(set(false, "KMS").ok());
  EXPECT_FALSE(service_->DescribeStream(stream_, {}, {})->encrypted);
  EXPECT_EQ(service_->DescribeStream(stream_, {}, {})->key_id, "");
}

TEST_F(StreamServiceTest, ConsumersLifecycleLimitAndPersistence) {
  ServiceOptions options;
  options.create_stream_ms = 100;
  options.delete_stream_ms = 100;
  SetUpService(options);
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  clock_.Advance(100);
  ConsumerDescription registered;
  auto reg = [&](const std::string& name) {
    Status result = Status::Internal("not called");
    service_->RegisterConsumer(stream_, name, [&](StatusOr<ConsumerDescription> r) {
      result = r.status();
      if (r.ok()) registered = *r;
    });
    return result;
  };
  ASSERT_TRUE(reg("app").ok());
  EXPECT_EQ(registered.status, ConsumerStatus::kCreating);
  EXPECT_EQ(registered.arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s1/consumer/app:" +
                                std::to_string(clock_.NowMs() / 1000));
  EXPECT_EQ(reg("app").code(), Errc::kResourceInUse);
  clock_.Advance(100);
  auto d = service_->DescribeConsumer(stream_, "app", std::nullopt);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, ConsumerStatus::kActive);
  EXPECT_EQ(d->stream_arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s1");
  EXPECT_EQ(service_->DescribeConsumer(stream_, "app", d->created_ms / 1000 + 1).status().code(),
            Errc::kResourceNotFound);
  for (int i = 1; i < 20; ++i) ASSERT_TRUE(reg("c" + std::to_string(100 + i)).ok()) << i;
  EXPECT_EQ(reg("one-too-many").code(), Errc::kLimitExceeded);
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->consumer_count, 20);

  // Paged listing in name order.
  auto page = service_->ListConsumers(stream_, std::nullopt, 15, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->consumers.size(), 15u);
  EXPECT_EQ(page->consumers[0].name, "app");
  ASSERT_TRUE(page->next_token);
  auto rest = service_->ListConsumers(stream_, page->next_token, std::nullopt, std::nullopt);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->consumers.size(), 5u);
  EXPECT_FALSE(rest->next_token);
  clock_.Advance(300 * 1000 + 1);
  EXPECT_EQ(service_->ListConsumers(stream_, page->next_token, std::nullopt, std::nullopt).status().code(),
            Errc::kExpiredNextToken);

  // Consumers survive a restart; deregistering goes through DELETING.
  service_.reset();
  SetUpService(options);
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->consumer_count, 20);
  ASSERT_TRUE(Sync([&](auto done) { service_->DeregisterConsumer(stream_, "app", std::nullopt, done); }).ok());
  EXPECT_EQ(service_->DescribeConsumer(stream_, "app", std::nullopt)->status, ConsumerStatus::kDeleting);
  clock_.Advance(100);
  EXPECT_EQ(service_->DescribeConsumer(stream_, "app", std::nullopt).status().code(), Errc::kResourceNotFound);
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->consumer_count, 19);

  // A stream with consumers is deleted only with EnforceConsumerDeletion.
  Status refused = Sync([&](auto done) { service_->DeleteStream(stream_, false, done); });
  EXPECT_EQ(refused.code(), Errc::kResourceInUse);
  ASSERT_TRUE(Sync([&](auto done) { service_->DeleteStream(stream_, true, done); }).ok());
  clock_.Advance(100);
  ASSERT_TRUE(Sync([&](auto done) { service_->CreateStream(stream_, 1, done); }).ok());
  clock_.Advance(100);
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->consumer_count, 0);
  service_.reset();
  SetUpService(options);
  EXPECT_EQ(service_->DescribeStreamSummary(stream_)->consumer_count, 0);
}

TEST_F(StreamServiceTest, ResourceTagsOnStreamsAndConsumers) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d, {{"made", "create"}}); }).ok());
  Status registered = Status::Internal("not called");
  service_->RegisterConsumer(
      stream_, "app", [&](StatusOr<ConsumerDescription> r) { registered = r.status(); }, {{"c", "1"}});
  ASSERT_TRUE(registered.ok()) << registered.message();
  ResourceRef stream_ref{stream_, std::nullopt, std::nullopt};
  ResourceRef consumer_ref{stream_, "app", clock_.NowMs() / 1000};

  // A stream's resource tags are its AddTagsToStream tags.
  ASSERT_TRUE(Sync([&](auto d) { service_->TagResource(stream_ref, {{"k", "v"}}, d); }).ok());
  auto stream_tags = service_->ListResourceTags(stream_ref);
  ASSERT_TRUE(stream_tags.ok());
  EXPECT_EQ(*stream_tags, (std::map<std::string, std::string>{{"k", "v"}, {"made", "create"}}));
  EXPECT_EQ(service_->ListTags(stream_, std::nullopt, std::nullopt)->tags.size(), 2u);
  ASSERT_TRUE(Sync([&](auto d) { service_->UntagResource(stream_ref, {"made"}, d); }).ok());
  EXPECT_EQ(service_->ListResourceTags(stream_ref)->size(), 1u);

  // A consumer's tags are its own.
  EXPECT_EQ(*service_->ListResourceTags(consumer_ref), (std::map<std::string, std::string>{{"c", "1"}}));
  ASSERT_TRUE(Sync([&](auto d) { service_->TagResource(consumer_ref, {{"c", "2"}, {"d", ""}}, d); }).ok());
  ASSERT_TRUE(Sync([&](auto d) { service_->UntagResource(consumer_ref, {"d", "absent"}, d); }).ok());
  EXPECT_EQ(*service_->ListResourceTags(consumer_ref), (std::map<std::string, std::string>{{"c", "2"}}));
  ResourceRef wrong_time{stream_, "app", clock_.NowMs() / 1000 + 5};
  EXPECT_EQ(service_->ListResourceTags(wrong_time).status().code(), Errc::kResourceNotFound);
  ResourceRef missing{stream_, "nobody", std::nullopt};
  EXPECT_EQ(Sync([&](auto d) { service_->TagResource(missing, {{"a", "b"}}, d); }).code(), Errc::kResourceNotFound);
  EXPECT_EQ(Sync([&](auto d) { service_->TagResource(consumer_ref, {{"bad#", "b"}}, d); }).code(),
            Errc::kInvalidArgument);

  // At most 50 per resource.
  std::map<std::string, std::string> many;
  for (int i = 0; i < 49; ++i) many["t" + std::to_string(i)] = "x";
  ASSERT_TRUE(Sync([&](auto d) { service_->TagResource(consumer_ref, many, d); }).ok());  // 50 with "c"
  EXPECT_EQ(Sync([&](auto d) { service_->TagResource(consumer_ref, {{"one-more", ""}}, d); }).code(),
            Errc::kInvalidArgument);
  many["t49"] = "x";
  many["t50"] = "x";
  EXPECT_EQ(Sync([&](auto d) { service_->CreateStream({"000000000000", "us-east-1", "s2"}, 1, d, many); }).code(),
            Errc::kInvalidArgument);

  // Consumer tags are persisted with the consumer.
  service_.reset();
  SetUpService();
  EXPECT_EQ(service_->ListResourceTags(consumer_ref)->size(), 50u);
  EXPECT_EQ(service_->ListResourceTags(consumer_ref)->at("c"), "2");
  EXPECT_EQ(service_->ListResourceTags(stream_ref)->size(), 1u);
}

TEST_F(StreamServiceTest, ResourcePoliciesOnStreamsAndConsumersArePersisted) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  service_->RegisterConsumer(stream_, "app", [](StatusOr<ConsumerDescription>) {});
  ResourceRef stream_ref{stream_, std::nullopt, std::nullopt};
  ResourceRef consumer_ref{stream_, "app", std::nullopt};
  EXPECT_EQ(*service_->GetResourcePolicy(stream_ref), "{}");
  EXPECT_EQ(*service_->GetResourcePolicy(consumer_ref), "{}");
  const std::string stream_policy = R"({"Version":"2012-10-17","Statement":[]})";
  ASSERT_TRUE(Sync([&](auto d) { service_->PutResourcePolicy(stream_ref, stream_policy, d); }).ok());
  ASSERT_TRUE(Sync([&](auto d) { service_->PutResourcePolicy(consumer_ref, R"({"c":1})", d); }).ok());
  std::string big = "{\"a\":\"" + std::string(StreamService::kMaxResourcePolicyBytes, 'x') + "\"}";
  EXPECT_EQ(Sync([&](auto d) { service_->PutResourcePolicy(stream_ref, big, d); }).code(), Errc::kInvalidArgument);
  ResourceRef missing{stream_, "nobody", std::nullopt};
  EXPECT_EQ(service_->GetResourcePolicy(missing).status().code(), Errc::kResourceNotFound);

  service_.reset();
  SetUpService();
  EXPECT_EQ(*service_->GetResourcePolicy(stream_ref), stream_policy);
  EXPECT_EQ(*service_->GetResourcePolicy(consumer_ref), R"({"c":1})");
  ASSERT_TRUE(Sync([&](auto d) { service_->DeleteResourcePolicy(stream_ref, d); }).ok());
  EXPECT_EQ(*service_->GetResourcePolicy(stream_ref), "{}");
  EXPECT_EQ(*service_->GetResourcePolicy(consumer_ref), R"({"c":1})");
  service_.reset();
  SetUpService();
  EXPECT_EQ(*service_->GetResourcePolicy(stream_ref), "{}");
}

}  // namespace
}  // namespace riffle::core
