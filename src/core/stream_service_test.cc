// StreamService over an in-memory fake store: lifecycle with an injected
// clock, routing, reads, iterator expiry, resharding lineage and limits.
#include "core/stream_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "core/retention.h"
#include "core/sequence_number.h"

namespace riffle::core {
namespace {

// A synchronous Store: mutations apply and complete at once.
class FakeStore final : public store::Store {
 public:
  void Submit(store::Mutation m, std::function<void(Status)> done) override {
    for (auto& batch : m.appends) {
      auto& log = records_[Key(batch.shard)];
      uint64_t counter = batch.first_counter;
      for (auto& e : batch.entries) {
        log[counter] = {counter, batch.arrival_ms, e.partition_key, e.data};
        ++counter;
      }
    }
    for (auto& [k, v] : m.meta_puts) meta_[k] = v;
    for (auto& k : m.meta_deletes) meta_.erase(k);
    for (auto& s : m.drop_shards) records_.erase(Key(s));
    done(Status::Ok());
  }
  StatusOr<std::vector<std::pair<std::string, std::string>>> ScanMeta(const std::string& prefix) override {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& [k, v] : meta_) {
      if (k.rfind(prefix, 0) == 0) out.emplace_back(k, v);
    }
    return out;
  }
  StatusOr<std::vector<store::Record>> ReadRecords(store::ShardKey shard, uint64_t from, uint64_t to,
                                                   store::ReadLimits limits) override {
    std::vector<store::Record> out;
    auto& log = records_[Key(shard)];
    for (auto it = log.lower_bound(from); it != log.end() && it->first <= to && out.size() < limits.max_records;
         ++it) {
      out.push_back(it->second);
    }
    return out;
  }
  StatusOr<std::optional<uint64_t>> LastCounter(store::ShardKey shard) override {
    auto& log = records_[Key(shard)];
    if (log.empty()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(log.rbegin()->first);
  }
  StatusOr<std::optional<uint64_t>> FirstCounter(store::ShardKey shard) override {
    auto& log = records_[Key(shard)];
    if (log.empty()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(log.begin()->first);
  }
  StatusOr<std::optional<uint64_t>> FirstCounterAtOrAfter(store::ShardKey shard, int64_t ms) override {
    for (auto& [c, r] : records_[Key(shard)]) {
      if (r.arrival_ms >= ms) return std::optional<uint64_t>(c);
    }
    return std::optional<uint64_t>();
  }
  StatusOr<std::optional<int64_t>> FirstArrival(store::ShardKey) override { return std::optional<int64_t>(); }
  Status Trim(const store::TrimRequest& request) override {
    auto& log = records_[Key(request.shard)];
    log.erase(log.begin(), log.lower_bound(request.below_counter));
    ++trims;
    return Status::Ok();
  }
  size_t Size(store::ShardKey shard) { return records_[Key(shard)].size(); }
  std::atomic<int> trims{0};
  void Close() override {}

 private:
  static std::pair<uint64_t, uint32_t> Key(store::ShardKey k) { return {k.incarnation, k.shard_index}; }
  std::map<std::string, std::string> meta_;
  std::map<std::pair<uint64_t, uint32_t>, std::map<uint64_t, store::Record>> records_;
};

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
  auto iterator = service_->GetShardIterator(stream_, results[0].shard_id, {IteratorType::kTrimHorizon, {}, {}});
  ASSERT_TRUE(iterator.ok());
  auto page = service_->GetRecords(*iterator, {});
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
  auto iterator = service_->GetShardIterator(stream_, "shardId-000000000000", {IteratorType::kLatest, {}, {}});
  ASSERT_TRUE(iterator.ok());
  clock_.Advance(ShardIterator::kLifetimeMs);
  EXPECT_TRUE(service_->GetRecords(*iterator, {}).ok());
  clock_.Advance(1);
  auto expired = service_->GetRecords(*iterator, {});
  EXPECT_EQ(expired.status().code(), Errc::kExpiredIterator);
  EXPECT_EQ(service_->GetRecords("garbage", {}).status().message(), "Invalid ShardIterator.");
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

  auto iterator = service_->GetShardIterator(stream_, "shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
  auto page = service_->GetRecords(*iterator, {});
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
  ASSERT_TRUE(
      Sync([&](auto d) { service_->MergeShards(stream_, "shardId-000000000001", "shardId-000000000000", d); }).ok());
  auto d = service_->DescribeStream(stream_, {}, {});
  ASSERT_EQ(d->shards.size(), 4u);
  EXPECT_EQ(d->shards[3].parent_shard_id, "shardId-000000000001");
  EXPECT_EQ(d->shards[3].adjacent_parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[3].range.start, HashKey());
}

TEST_F(StreamServiceTest, RecreatedStreamNeverReusesSequenceNumbers) {
  SetUpService();
  ASSERT_TRUE(Sync([&](auto d) { service_->CreateStream(stream_, 1, d); }).ok());
  auto first = Put(stream_, {"k"});
  ASSERT_TRUE(Sync([&](auto d) { service_->DeleteStream(stream_, d); }).ok());
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
  auto iterator = service_->GetShardIterator(stream_, first[0].shard_id, {IteratorType::kTrimHorizon, {}, {}});
  service_.reset();
  SetUpService();
  auto tags = service_->ListTags(stream_, {}, {});
  ASSERT_EQ(tags->tags.size(), 1u);
  auto page = service_->GetRecords(*iterator, {});
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
  auto it = service_->GetShardIterator(stream_, other,
                                       {IteratorType::kAtSequenceNumber, put[0].sequence_number, std::nullopt});
  EXPECT_EQ(it.status().code(), Errc::kInvalidArgument);
  EXPECT_NE(it.status().message().find("Invalid StartingSequenceNumber. It encodes " + put[0].shard_id),
            std::string::npos);
}

constexpr int64_t kDayMs = 24 * 3600 * 1000;

std::vector<std::string> Keys(const StatusOr<RecordsPage>& page) {
  std::vector<std::string> out;
  if (page.ok()) {
    for (const RecordOut& r : page->records) out.push_back(r.partition_key);
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
  auto before = service_->GetShardIterator(stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
  ASSERT_TRUE(before.ok());
  // Nothing is hidden before the trim runs.
  EXPECT_EQ(Keys(service_->GetRecords(*before, {})), (std::vector<std::string>{"old1", "old2", "mid"}));

  ASSERT_TRUE(service_->TrimExpired().ok());
  EXPECT_EQ(store_.trims.load(), 1);
  EXPECT_EQ(store_.Size({1, 0}), 1u);  // deleted from the store, not only hidden
  auto trim_horizon = service_->GetShardIterator(stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
  EXPECT_EQ(Keys(service_->GetRecords(*trim_horizon, {})), (std::vector<std::string>{"mid"}));
  auto at_time = service_->GetShardIterator(stream_, shard,
                                            {IteratorType::kAtTimestamp, {}, static_cast<double>(t0) / 1000.0});
  EXPECT_EQ(Keys(service_->GetRecords(*at_time, {})), (std::vector<std::string>{"mid"}));
  auto at_old = service_->GetShardIterator(stream_, shard,
                                           {IteratorType::kAtSequenceNumber, old[0].sequence_number, {}});
  EXPECT_EQ(Keys(service_->GetRecords(*at_old, {})), (std::vector<std::string>{"mid"}));
  // An iterator issued before the trim resumes at the horizon.
  EXPECT_EQ(Keys(service_->GetRecords(*before, {})), (std::vector<std::string>{"mid"}));
  // Nothing more is due: a second run trims nothing.
  ASSERT_TRUE(service_->TrimExpired().ok());
  EXPECT_EQ(store_.trims.load(), 1);
  // New records are unaffected; once "mid" expires too, only they remain.
  auto fresh = Put(stream_, {"new"});
  clock_.Advance(kDayMs / 2);
  ASSERT_TRUE(service_->TrimExpired().ok());
  auto latest = service_->GetShardIterator(stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
  EXPECT_EQ(Keys(service_->GetRecords(*latest, {})), (std::vector<std::string>{"new"}));
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
    auto it = service_->GetShardIterator(stream_, shard, {IteratorType::kTrimHorizon, {}, {}});
    ASSERT_TRUE(it.ok());
    EXPECT_TRUE(Keys(service_->GetRecords(*it, {})).empty()) << shard;
  }
  // Sequence numbers keep increasing after a full trim.
  auto next = Put(stream_, {"a"});
  ASSERT_EQ(next.size(), 1u);
  auto it = service_->GetShardIterator(stream_, next[0].shard_id, {IteratorType::kTrimHorizon, {}, {}});
  EXPECT_EQ(Keys(service_->GetRecords(*it, {})), (std::vector<std::string>{"a"}));
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

}  // namespace
}  // namespace riffle::core
