// Capacity modes, per-stream record sizes, warm throughput and account
// settings, over the real store in memory with an injected clock; settings
// survive reopening the service.
#include <gtest/gtest.h>

#include <future>
#include <set>

#include "core/stream_service.h"

namespace riffle::core {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

class StreamModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Options options;
    options.in_memory = true;
    auto opened = store::OpenRocksDbStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
    Open();
  }
  void TearDown() override {
    service_.reset();
    store_->Close();
  }
  void Open(ServiceOptions options = {}) {
    service_.reset();
    auto opened = StreamService::Open(*store_, clock_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    service_ = std::move(*opened);
  }
  template <typename T>
  static T Wait(std::function<void(std::function<void(T)>)> call) {
    std::promise<T> promise;
    call([&promise](T value) { promise.set_value(std::move(value)); });
    return promise.get_future().get();
  }
  Status Create(const StreamAddress& a, StreamCreation creation) {
    return Wait<Status>([&](auto done) { service_->CreateStream(a, std::move(creation), done); });
  }
  Status CreateOnDemand(const StreamAddress& a) {
    StreamCreation c;
    c.mode = StreamMode::kOnDemand;
    return Create(a, std::move(c));
  }
  Status SetMode(const StreamAddress& a, StreamMode mode, std::optional<int64_t> warm = std::nullopt) {
    return Wait<Status>([&](auto done) { service_->UpdateStreamMode(a, mode, warm, done); });
  }
  Status SetMaxRecordSize(const StreamAddress& a, int64_t kib) {
    return Wait<Status>([&](auto done) { service_->UpdateMaxRecordSize(a, kib, done); });
  }
  StatusOr<WarmThroughputUpdate> SetWarm(const StreamAddress& a, int64_t mibps) {
    return Wait<StatusOr<WarmThroughputUpdate>>(
        [&](auto done) { service_->UpdateStreamWarmThroughput(a, mibps, done); });
  }
  StatusOr<AccountSettings> SetCommitment(bool enable) {
    return Wait<StatusOr<AccountSettings>>(
        [&](auto done) { service_->UpdateAccountSettings("000000000000", "us-east-1", enable, done); });
  }
  Status Put(const StreamAddress& a, size_t data_bytes) {
    std::vector<PutEntry> entries{{"k", std::string(data_bytes, 'x'), std::nullopt}};
    auto result = Wait<StatusOr<std::vector<PutResult>>>(
        [&](auto done) { service_->PutRecords(a, std::move(entries), std::nullopt, done); });
    return result.status();
  }
  StreamSummaryDescription Summary(const StreamAddress& a) {
    auto d = service_->DescribeStreamSummary(a);
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? *d : StreamSummaryDescription{};
  }

  ManualClock clock_{1700000000000};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StreamService> service_;
  StreamAddress a_{"000000000000", "us-east-1", "a"};
  StreamAddress b_{"000000000000", "us-east-1", "b"};
};

TEST_F(StreamModesTest, OnDemandStreamHasFourShardsAndIsCounted) {
  ASSERT_TRUE(CreateOnDemand(a_).ok());
  StreamCreation provisioned;
  provisioned.shard_count = 2;
  ASSERT_TRUE(Create(b_, provisioned).ok());
  EXPECT_EQ(Summary(a_).mode, StreamMode::kOnDemand);
  EXPECT_EQ(Summary(a_).open_shard_count, 4);
  EXPECT_EQ(Summary(b_).mode, StreamMode::kProvisioned);
  AccountLimits limits = service_->DescribeLimits("000000000000", "us-east-1");
  EXPECT_EQ(limits.on_demand_stream_count, 1);
  EXPECT_EQ(limits.on_demand_stream_count_limit, 50);
  EXPECT_EQ(limits.open_shard_count, 6);
  auto described = service_->DescribeStream(a_, std::nullopt, std::nullopt);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->mode, StreamMode::kOnDemand);
  StreamList list = service_->ListStreams("000000000000", "us-east-1", std::nullopt, std::nullopt);
  ASSERT_EQ(list.streams.size(), 2u);
  EXPECT_EQ(list.streams[0].mode, StreamMode::kOnDemand);
  EXPECT_EQ(list.streams[1].mode, StreamMode::kProvisioned);
}

TEST_F(StreamModesTest, ShardCountMustMatchTheMode) {
  StreamCreation both;
  both.mode = StreamMode::kOnDemand;
  both.shard_count = 2;
  EXPECT_EQ(Create(a_, both).code(), Errc::kValidation);
  StreamCreation none;  // PROVISIONED without ShardCount
  EXPECT_EQ(Create(a_, none).code(), Errc::kValidation);
  StreamCreation warm;
  warm.shard_count = 1;
  warm.warm_throughput_mibps = 10;
  EXPECT_EQ(Create(a_, warm).code(), Errc::kInvalidArgument);
  EXPECT_FALSE(service_->DescribeStreamSummary(a_).ok());
}

TEST_F(StreamModesTest, OnDemandStreamLimitIsEnforced) {
  ServiceOptions options;
  options.on_demand_stream_limit = 1;
  Open(options);
  ASSERT_TRUE(CreateOnDemand(a_).ok());
  Status second = CreateOnDemand(b_);
  EXPECT_EQ(second.code(), Errc::kLimitExceeded);
  EXPECT_NE(second.message().find("Limit: 1"), std::string::npos) << second.message();
  StreamCreation provisioned;
  provisioned.shard_count = 1;
  ASSERT_TRUE(Create(b_, provisioned).ok());
  EXPECT_EQ(SetMode(b_, StreamMode::kOnDemand).code(), Errc::kLimitExceeded);
  ASSERT_TRUE(SetMode(a_, StreamMode::kProvisioned).ok());
  EXPECT_TRUE(SetMode(b_, StreamMode::kOnDemand).ok());
  EXPECT_EQ(service_->DescribeLimits("000000000000", "us-east-1").on_demand_stream_count, 1);
}

TEST_F(StreamModesTest, ModeSwitchGoesUpdatingAndIsLimitedToTwoPerDay) {
  ServiceOptions options;
  options.update_stream_ms = 1000;
  Open(options);
  StreamCreation provisioned;
  provisioned.shard_count = 2;
  ASSERT_TRUE(Create(a_, provisioned).ok());
  EXPECT_EQ(SetMode(a_, StreamMode::kProvisioned).code(), Errc::kInvalidArgument);  // already
  ASSERT_TRUE(SetMode(a_, StreamMode::kOnDemand).ok());
  EXPECT_EQ(Summary(a_).status, StreamStatus::kUpdating);
  EXPECT_EQ(Summary(a_).mode, StreamMode::kOnDemand);
  EXPECT_EQ(SetMode(a_, StreamMode::kProvisioned).code(), Errc::kResourceInUse);
  clock_.Advance(1000);
  EXPECT_EQ(Summary(a_).status, StreamStatus::kActive);
  // Resharding is for provisioned streams only.
  auto scaled = Wait<StatusOr<ShardCountUpdate>>(
      [&](auto done) { service_->UpdateShardCount(a_, 4, done); });
  EXPECT_EQ(scaled.status().code(), Errc::kValidation);
  Status split = Wait<Status>([&](auto done) {
    service_->SplitShard(a_, "shardId-000000000000", "1000", done);
  });
  EXPECT_EQ(split.code(), Errc::kValidation);
  Status merge = Wait<Status>([&](auto done) {
    service_->MergeShards(a_, "shardId-000000000000", "shardId-000000000001", done);
  });
  EXPECT_EQ(merge.code(), Errc::kValidation);

  ASSERT_TRUE(SetMode(a_, StreamMode::kProvisioned).ok());
  clock_.Advance(1000);
  EXPECT_EQ(SetMode(a_, StreamMode::kOnDemand).code(), Errc::kLimitExceeded);
  // The limit survives a restart, and the window rolls.
  Open(options);
  EXPECT_EQ(SetMode(a_, StreamMode::kOnDemand).code(), Errc::kLimitExceeded);
  clock_.Advance(24 * kHourMs);
  EXPECT_TRUE(SetMode(a_, StreamMode::kOnDemand).ok());
}

TEST_F(StreamModesTest, MaxRecordSizeIsPerStreamAndEnforced) {
  StreamCreation c;
  c.shard_count = 1;
  ASSERT_TRUE(Create(a_, c).ok());
  EXPECT_EQ(Summary(a_).max_record_size_kib, 1024u);
  EXPECT_TRUE(Put(a_, 1024 * 1024 - 1).ok());  // + 1-byte partition key = 1 MiB
  Status big = Put(a_, 1024 * 1024);
  EXPECT_EQ(big.code(), Errc::kInvalidArgument);
  EXPECT_EQ(big.message(),
            "Record size exceeds the maximum record size of 1024 KiB for stream a under account 000000000000.");
  EXPECT_EQ(SetMaxRecordSize(a_, 1023).code(), Errc::kValidation);
  EXPECT_EQ(SetMaxRecordSize(a_, 10241).code(), Errc::kValidation);
  ASSERT_TRUE(SetMaxRecordSize(a_, 2048).ok());
  EXPECT_TRUE(Put(a_, 1024 * 1024).ok());
  EXPECT_TRUE(Put(a_, 2 * 1024 * 1024 - 1).ok());
  Status bigger = Put(a_, 2 * 1024 * 1024);
  EXPECT_NE(bigger.message().find("maximum record size of 2048 KiB"), std::string::npos) << bigger.message();
  Open();
  EXPECT_EQ(Summary(a_).max_record_size_kib, 2048u);
  StreamCreation sized;
  sized.shard_count = 1;
  sized.max_record_size_kib = 4096;
  ASSERT_TRUE(Create(b_, sized).ok());
  EXPECT_EQ(Summary(b_).max_record_size_kib, 4096u);
}

TEST_F(StreamModesTest, WarmThroughputNeedsOnDemandAndTheCommitment) {
  StreamCreation provisioned;
  provisioned.shard_count = 1;
  ASSERT_TRUE(Create(a_, provisioned).ok());
  ASSERT_TRUE(CreateOnDemand(b_).ok());
  EXPECT_EQ(SetWarm(a_, 10).status().code(), Errc::kInvalidArgument);  // provisioned
  EXPECT_EQ(SetWarm(b_, 10).status().code(), Errc::kInvalidArgument);  // no commitment
  ASSERT_TRUE(SetCommitment(true).ok());
  EXPECT_EQ(SetWarm(b_, 10241).status().code(), Errc::kLimitExceeded);
  auto warm = SetWarm(b_, 100);
  ASSERT_TRUE(warm.ok()) << warm.status().message();
  EXPECT_EQ(warm->name, "b");
  EXPECT_EQ(warm->warm, (WarmThroughput{100, 100}));
  EXPECT_EQ(Summary(b_).warm, (WarmThroughput{100, 100}));
  EXPECT_FALSE(Summary(a_).warm.has_value());
  // Switching to PROVISIONED drops it.
  ASSERT_TRUE(SetMode(b_, StreamMode::kProvisioned).ok());
  EXPECT_FALSE(Summary(b_).warm.has_value());
}

TEST_F(StreamModesTest, WarmThroughputReachesTheTargetWhenUpdatingEnds) {
  ServiceOptions options;
  options.update_stream_ms = 500;
  Open(options);
  ASSERT_TRUE(SetCommitment(true).ok());
  ASSERT_TRUE(CreateOnDemand(a_).ok());
  auto first = SetWarm(a_, 50);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->warm, (WarmThroughput{50, 0}));
  EXPECT_EQ(Summary(a_).status, StreamStatus::kUpdating);
  EXPECT_EQ(SetWarm(a_, 60).status().code(), Errc::kResourceInUse);
  clock_.Advance(500);
  EXPECT_EQ(Summary(a_).warm, (WarmThroughput{50, 50}));
  auto second = SetWarm(a_, 80);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->warm, (WarmThroughput{80, 50}));
  Open(options);
  EXPECT_EQ(Summary(a_).warm, (WarmThroughput{80, 50}));
}

TEST_F(StreamModesTest, CommitmentLastsAtLeastADayAndSurvivesRestart) {
  AccountSettings none = service_->DescribeAccountSettings("000000000000", "us-east-1");
  EXPECT_EQ(none.status, CommitmentStatus::kDisabled);
  EXPECT_FALSE(none.started_ms.has_value());
  int64_t start = clock_.NowMs();
  auto enabled = SetCommitment(true);
  ASSERT_TRUE(enabled.ok());
  EXPECT_EQ(enabled->status, CommitmentStatus::kEnabled);
  EXPECT_EQ(enabled->started_ms, start);
  EXPECT_EQ(enabled->earliest_end_ms, start + 24 * kHourMs);
  EXPECT_FALSE(enabled->ended_ms.has_value());
  // Another region of the same account is separate.
  EXPECT_EQ(service_->DescribeAccountSettings("000000000000", "eu-west-1").status, CommitmentStatus::kDisabled);

  clock_.Advance(kHourMs);
  auto disabling = SetCommitment(false);
  ASSERT_TRUE(disabling.ok());
  EXPECT_EQ(disabling->status, CommitmentStatus::kEnabledUntilEarliestAllowedEnd);
  EXPECT_EQ(disabling->ended_ms, start + 24 * kHourMs);
  // Enabling again cancels the pending end.
  auto again = SetCommitment(true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, CommitmentStatus::kEnabled);
  EXPECT_EQ(again->started_ms, start);
  EXPECT_FALSE(again->ended_ms.has_value());
  ASSERT_TRUE(SetCommitment(false).ok());

  Open();
  EXPECT_EQ(service_->DescribeAccountSettings("000000000000", "us-east-1").status,
            CommitmentStatus::kEnabledUntilEarliestAllowedEnd);
  clock_.Advance(23 * kHourMs);
  AccountSettings ended = service_->DescribeAccountSettings("000000000000", "us-east-1");
  EXPECT_EQ(ended.status, CommitmentStatus::kDisabled);
  EXPECT_EQ(ended.ended_ms, start + 24 * kHourMs);
  ASSERT_TRUE(CreateOnDemand(a_).ok());
  EXPECT_EQ(SetWarm(a_, 10).status().code(), Errc::kInvalidArgument);

  // After the earliest end, disabling is immediate.
  ASSERT_TRUE(SetCommitment(true).ok());
  clock_.Advance(25 * kHourMs);
  auto off = SetCommitment(false);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->status, CommitmentStatus::kDisabled);
  EXPECT_EQ(off->ended_ms, clock_.NowMs());
}

TEST_F(StreamModesTest, AutoDistributionSpreadsRecordsOnOnDemandStreamsOnly) {
  auto update = [&](const StreamAddress& a, RecordDistribution d) {
    return Wait<Status>([&](auto done) { service_->UpdateRecordDistribution(a, d, done); });
  };
  // CreateStream: AUTO needs ON_DEMAND.
  StreamCreation provisioned;
  provisioned.shard_count = 4;
  provisioned.distribution = RecordDistribution::kAuto;
  EXPECT_EQ(Create(b_, provisioned).code(), Errc::kInvalidArgument);
  provisioned.distribution.reset();
  ASSERT_TRUE(Create(b_, provisioned).ok());
  EXPECT_FALSE(Summary(b_).distribution.has_value());  // provisioned streams have none
  EXPECT_EQ(update(b_, RecordDistribution::kAuto).code(), Errc::kInvalidArgument);
  EXPECT_TRUE(update(b_, RecordDistribution::kUserPartitionKey).ok());

  ASSERT_TRUE(CreateOnDemand(a_).ok());
  EXPECT_EQ(Summary(a_).distribution, RecordDistribution::kUserPartitionKey);
  auto shards_of = [&](const StreamAddress& a) {
    std::vector<PutEntry> entries(40, PutEntry{"same", "x", std::nullopt});
    service_->SpreadIfAuto(a, entries);
    auto routing = service_->RoutePuts(a, entries);
    EXPECT_TRUE(routing.ok());
    return std::set<uint32_t>(routing->shards.begin(), routing->shards.end());
  };
  EXPECT_EQ(shards_of(a_).size(), 1u);  // one partition key, one shard
  ASSERT_TRUE(update(a_, RecordDistribution::kAuto).ok());
  EXPECT_EQ(Summary(a_).distribution, RecordDistribution::kAuto);
  EXPECT_EQ(Summary(a_).status, StreamStatus::kActive);  // at once, no UPDATING
  EXPECT_EQ(shards_of(a_).size(), 4u);  // the same key over every shard
  // Stored, and kept across a restart.
  Open();
  EXPECT_EQ(Summary(a_).distribution, RecordDistribution::kAuto);
  EXPECT_EQ(shards_of(a_).size(), 4u);
  // Back to PROVISIONED: partition keys route again.
  ASSERT_TRUE(SetMode(a_, StreamMode::kProvisioned).ok());
  EXPECT_FALSE(Summary(a_).distribution.has_value());
  EXPECT_EQ(shards_of(a_).size(), 1u);
  ASSERT_TRUE(SetMode(a_, StreamMode::kOnDemand).ok());
  EXPECT_EQ(Summary(a_).distribution, RecordDistribution::kUserPartitionKey);
  StreamAddress missing{"000000000000", "us-east-1", "missing"};
  EXPECT_EQ(update(missing, RecordDistribution::kAuto).code(), Errc::kResourceNotFound);
}

}  // namespace
}  // namespace riffle::core
