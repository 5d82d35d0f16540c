// libriffle-kinesis against the real riffle binary: every operation of the
// model through the Client's generated methods (the test fails when the
// model has one it did not call), typed errors, paginators, asynchronous
// calls. Endpoint: env RIFFLE_ENDPOINT (tests/client/test_library.py).
#include <atomic>
#include <future>
#include <set>

#include "library_test_support.h"

namespace riffle::kinesis::testing {
namespace {

constexpr const char* kQuarterHashKey = "85070591730234615865843651857942052864";  // 2^126

class Operations : public LiveServerTest {
 protected:
  // Records `op` as called when `result` is ok; returns it.
  template <typename T>
  Result<T> Called(const char* op, Result<T> result) {
    EXPECT_TRUE(result.ok()) << op << ": " << result.error().ToString();
    if (result.ok()) called_.insert(op);
    return result;
  }

  std::set<std::string> called_;
};

TEST_F(Operations, EveryOperationOfTheModel) {
  Client& k = *client_;
  const std::string name = UniqueName("all");

  auto settings = Called("DescribeAccountSettings", k.DescribeAccountSettings());
  ASSERT_OK(settings);
  EXPECT_EQ(settings->MinimumThroughputBillingCommitment->Status, "DISABLED");
  auto limits = Called("DescribeLimits", k.DescribeLimits());
  ASSERT_OK(limits);
  EXPECT_EQ(limits->OnDemandStreamCountLimit, 50);

  ASSERT_OK(Called("CreateStream", k.CreateStream({.StreamName = name, .ShardCount = 2, .Tags = {{{"team", "data"}}}})));
  WaitActive(k, name);
  auto described = Called("DescribeStream", k.DescribeStream({.StreamName = name}));
  ASSERT_OK(described);
  const std::string arn = *described->StreamDescription->StreamARN;
  EXPECT_EQ(arn, "arn:aws:kinesis:us-east-1:000000000000:stream/" + name);
  EXPECT_EQ(described->StreamDescription->Shards->size(), 2u);
  auto listed = Called("ListStreams", k.ListStreams());
  ASSERT_OK(listed);
  EXPECT_NE(std::find(listed->StreamNames->begin(), listed->StreamNames->end(), name), listed->StreamNames->end());

  ASSERT_OK(Called("AddTagsToStream", k.AddTagsToStream({.StreamName = name, .Tags = {{{"env", "test"}}}})));
  ASSERT_OK(Called("TagResource", k.TagResource({.Tags = {{{"owner", "me"}}}, .ResourceARN = arn})));
  ASSERT_OK(Called("UntagResource", k.UntagResource({.TagKeys = {{"owner"}}, .ResourceARN = arn})));
  ASSERT_OK(Called("RemoveTagsFromStream", k.RemoveTagsFromStream({.StreamName = name, .TagKeys = {{"env"}}})));
  auto tags = Called("ListTagsForStream", k.ListTagsForStream({.StreamName = name}));
  ASSERT_OK(tags);
  ASSERT_EQ(tags->Tags->size(), 1u);
  EXPECT_EQ((*tags->Tags)[0].Key, "team");
  EXPECT_EQ(tags->HasMoreTags, false);
  auto resource_tags = Called("ListTagsForResource", k.ListTagsForResource({.ResourceARN = arn}));
  ASSERT_OK(resource_tags);
  EXPECT_EQ(resource_tags->Tags->size(), 1u);

  // Records: bytes of every value survive the base64 round trip.
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  auto put = Called("PutRecord", k.PutRecord({.StreamName = name, .Data = binary, .PartitionKey = "a"}));
  ASSERT_OK(put);
  EXPECT_EQ(put->SequenceNumber->size(), 56u);
  auto batch = Called("PutRecords", k.PutRecords({.Records = {{{.Data = "two", .PartitionKey = "a"},
                                                               {.Data = "three", .PartitionKey = "a"}}},
                                                  .StreamName = name}));
  ASSERT_OK(batch);
  EXPECT_EQ(batch->FailedRecordCount.value_or(0), 0);
  auto it = Called("GetShardIterator", k.GetShardIterator({.StreamName = name, .ShardId = put->ShardId,
                                                           .ShardIteratorType = "TRIM_HORIZON"}));
  ASSERT_OK(it);
  auto got = Called("GetRecords", k.GetRecords({.ShardIterator = it->ShardIterator}));
  ASSERT_OK(got);
  ASSERT_EQ(got->Records->size(), 3u);
  EXPECT_EQ((*got->Records)[0].Data, binary);
  EXPECT_EQ((*got->Records)[2].Data, "three");
  EXPECT_EQ((*got->Records)[0].SequenceNumber, put->SequenceNumber);
  EXPECT_GT((*got->Records)[0].ApproximateArrivalTimestamp.value_or(0), 1.7e9);

  ASSERT_OK(Called("IncreaseStreamRetentionPeriod",
                   k.IncreaseStreamRetentionPeriod({.StreamName = name, .RetentionPeriodHours = 48})));
  ASSERT_OK(Called("DecreaseStreamRetentionPeriod",
                   k.DecreaseStreamRetentionPeriod({.StreamName = name, .RetentionPeriodHours = 36})));
  auto enabled = Called("EnableEnhancedMonitoring",
                        k.EnableEnhancedMonitoring({.StreamName = name, .ShardLevelMetrics = {{"IncomingBytes"}}}));
  ASSERT_OK(enabled);
  EXPECT_EQ(*enabled->DesiredShardLevelMetrics, std::vector<std::string>{"IncomingBytes"});
  ASSERT_OK(Called("DisableEnhancedMonitoring",
                   k.DisableEnhancedMonitoring({.StreamName = name, .ShardLevelMetrics = {{"ALL"}}})));
  ASSERT_OK(Called("StartStreamEncryption",
                   k.StartStreamEncryption({.StreamName = name, .EncryptionType = "KMS", .KeyId = "alias/aws/kinesis"})));
  WaitActive(k, name);
  ASSERT_OK(Called("StopStreamEncryption",
                   k.StopStreamEncryption({.StreamName = name, .EncryptionType = "KMS", .KeyId = "alias/aws/kinesis"})));
  WaitActive(k, name);
  ASSERT_OK(Called("UpdateMaxRecordSize", k.UpdateMaxRecordSize({.StreamARN = arn, .MaxRecordSizeInKiB = 2048})));
  WaitActive(k, name);
  auto summary = Called("DescribeStreamSummary", k.DescribeStreamSummary({.StreamName = name}));
  ASSERT_OK(summary);
  EXPECT_EQ(summary->StreamDescriptionSummary->RetentionPeriodHours, 36);
  EXPECT_EQ(summary->StreamDescriptionSummary->MaxRecordSizeInKiB, 2048);
  EXPECT_EQ(summary->StreamDescriptionSummary->OpenShardCount, 2);

  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},)"
      R"("Action":"kinesis:GetRecords","Resource":")" + arn + R"("}]})";
  ASSERT_OK(Called("PutResourcePolicy", k.PutResourcePolicy({.ResourceARN = arn, .Policy = policy})));
  auto got_policy = Called("GetResourcePolicy", k.GetResourcePolicy({.ResourceARN = arn}));
  ASSERT_OK(got_policy);
  EXPECT_NE(got_policy->Policy->find("kinesis:GetRecords"), std::string::npos);
  ASSERT_OK(Called("DeleteResourcePolicy", k.DeleteResourcePolicy({.ResourceARN = arn})));

  auto consumer = Called("RegisterStreamConsumer", k.RegisterStreamConsumer({.StreamARN = arn, .ConsumerName = "app"}));
  ASSERT_OK(consumer);
  const std::string consumer_arn = *consumer->Consumer->ConsumerARN;
  auto consumer_described = Called("DescribeStreamConsumer", k.DescribeStreamConsumer({.ConsumerARN = consumer_arn}));
  ASSERT_OK(consumer_described);
  EXPECT_EQ(consumer_described->ConsumerDescription->StreamARN, arn);
  auto consumers = Called("ListStreamConsumers", k.ListStreamConsumers({.StreamARN = arn}));
  ASSERT_OK(consumers);
  EXPECT_EQ(consumers->Consumers->size(), 1u);
  // SubscribeToShard (HTTP/2): the three records from the trim horizon.
  {
    auto subscription = k.SubscribeToShard({.ConsumerARN = consumer_arn, .ShardId = put->ShardId,
                                            .StartingPosition = StartingPosition{.Type = "TRIM_HORIZON"}});
    ASSERT_OK(subscription);
    std::vector<std::string> pushed;
    while (pushed.size() < 3) {
      auto event = (*subscription)->Next();
      ASSERT_OK(event);
      ASSERT_TRUE(*event);
      for (const Record& r : (*event)->Records.value_or(std::vector<Record>{})) pushed.push_back(*r.Data);
    }
    EXPECT_EQ(pushed, (std::vector<std::string>{binary, "two", "three"}));
    called_.insert("SubscribeToShard");
  }
  ASSERT_OK(Called("DeregisterStreamConsumer", k.DeregisterStreamConsumer({.ConsumerARN = consumer_arn})));

  auto shards = Called("ListShards", k.ListShards({.StreamName = name}));
  ASSERT_OK(shards);
  ASSERT_EQ(shards->Shards->size(), 2u);
  ASSERT_OK(Called("SplitShard", k.SplitShard({.StreamName = name, .ShardToSplit = "shardId-000000000000",
                                               .NewStartingHashKey = kQuarterHashKey})));
  WaitActive(k, name);
  ASSERT_OK(Called("MergeShards", k.MergeShards({.StreamName = name, .ShardToMerge = "shardId-000000000002",
                                                 .AdjacentShardToMerge = "shardId-000000000003"})));
  WaitActive(k, name);
  auto scaled = Called("UpdateShardCount", k.UpdateShardCount({.StreamName = name, .TargetShardCount = 4,
                                                               .ScalingType = "UNIFORM_SCALING"}));
  ASSERT_OK(scaled);
  EXPECT_EQ(scaled->CurrentShardCount, 2);
  EXPECT_EQ(scaled->TargetShardCount, 4);
  WaitActive(k, name);

  ASSERT_OK(Called("UpdateStreamMode",
                   k.UpdateStreamMode({.StreamARN = arn, .StreamModeDetails = StreamModeDetails{.StreamMode = "ON_DEMAND"}})));
  WaitActive(k, name);
  ASSERT_OK(Called("UpdateStreamRecordDistributionStrategy",
                   k.UpdateStreamRecordDistributionStrategy({.StreamARN = arn, .RecordDistributionStrategy = "AUTO"})));
  auto distributed = k.DescribeStreamSummary({.StreamName = name});
  ASSERT_OK(distributed);
  EXPECT_EQ(distributed->StreamDescriptionSummary->RecordDistributionStrategy, "AUTO");
  // Channels: the stream is ON_DEMAND now (the test's server delivers into a directory).
  auto channel = Called(
      "CreateChannel",
      k.CreateChannel({.ChannelName = name + "-channel",
                       .ServiceExecutionRoleARN = "arn:aws:iam::000000000000:role/delivery",
                       .StreamConfigurationList = {{ChannelStreamConfiguration{
                           .StreamARN = arn, .RecordConfiguration = RecordConfiguration{.RecordFormatType = "JSON"}}}},
                       .S3DestinationConfiguration = S3DestinationConfiguration{
                           .StorageConfiguration = S3StorageConfiguration{.BucketARN = "arn:aws:s3:::library-bucket",
                                                                          .ExpectedBucketOwner = "000000000000",
                                                                          .CompressionType = "NONE"}}}));
  ASSERT_OK(channel);
  const std::string channel_arn = *channel->ChannelDescription->ChannelARN;
  auto channel_described = Called("DescribeChannel", k.DescribeChannel({.ChannelARN = channel_arn}));
  ASSERT_OK(channel_described);
  EXPECT_EQ(channel_described->ChannelDescription->ChannelName, name + "-channel");
  auto channels = Called("ListChannels", k.ListChannels({}));
  ASSERT_OK(channels);
  EXPECT_EQ(channels->ChannelSummaries->size(), 1u);
  auto channel_updated = Called("UpdateChannel",
                                k.UpdateChannel({.ChannelARN = channel_arn,
                                                 .S3DestinationConfiguration =
                                                     S3DestinationUpdateInput{.DataFreshnessInSeconds = 600}}));
  ASSERT_OK(channel_updated);
  EXPECT_EQ(channel_updated->ChannelDescription->S3DestinationConfiguration->DataFreshnessInSeconds, 600);
  ASSERT_OK(Called("DeleteChannel", k.DeleteChannel({.ChannelARN = channel_arn})));
  auto commitment = Called("UpdateAccountSettings",
                           k.UpdateAccountSettings({.MinimumThroughputBillingCommitment =
                                                        MinimumThroughputBillingCommitmentInput{.Status = "ENABLED"}}));
  ASSERT_OK(commitment);
  EXPECT_EQ(commitment->MinimumThroughputBillingCommitment->Status, "ENABLED");
  auto warm = Called("UpdateStreamWarmThroughput",
                     k.UpdateStreamWarmThroughput({.StreamARN = arn, .WarmThroughputMiBps = 100}));
  ASSERT_OK(warm);
  EXPECT_EQ(warm->WarmThroughput->TargetMiBps, 100);
  ASSERT_OK(k.UpdateAccountSettings(
      {.MinimumThroughputBillingCommitment = MinimumThroughputBillingCommitmentInput{.Status = "DISABLED"}}));

  ASSERT_OK(Called("DeleteStream", k.DeleteStream({.StreamName = name})));

  std::set<std::string> missing;
  for (std::string_view op : kModelOperations) {
    if (!called_.count(std::string(op))) missing.insert(std::string(op));
  }
  EXPECT_TRUE(missing.empty()) << "operations not called: " << ::testing::PrintToString(missing);
  EXPECT_EQ(kModelOperations.size(), 45u);
}

// The errors of the service arrive typed, with AWS's type, message, status
// and request id.
TEST_F(Operations, ErrorsCarryTheServiceTypeAndMessage) {
  Client& k = *client_;
  const std::string name = UniqueName("errors");
  auto missing = k.DescribeStreamSummary({.StreamName = name});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(missing.error().type(), "ResourceNotFoundException");
  EXPECT_EQ(missing.error().message(), "Stream " + name + " under account 000000000000 not found.");
  EXPECT_EQ(missing.error().http_status(), 400);
  EXPECT_FALSE(missing.error().request_id().empty());

  ASSERT_OK(k.CreateStream({.StreamName = name, .ShardCount = 1}));
  auto again = k.CreateStream({.StreamName = name, .ShardCount = 1});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kResourceInUse);

  // The library does not validate: the server's ValidationException comes through.
  auto invalid = k.PutRecord({.StreamName = name, .Data = "x"});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code(), ErrorCode::kValidation);
  EXPECT_NE(invalid.error().message().find("partitionKey"), std::string::npos) << invalid.error().message();

  auto bad_iterator = k.GetRecords({.ShardIterator = "not-an-iterator"});
  ASSERT_FALSE(bad_iterator.ok());
  EXPECT_EQ(bad_iterator.error().code(), ErrorCode::kInvalidArgument);

  // LimitExceeded is throttling to the retry policy; one attempt here.
  ClientOptions once;
  once.retry.max_attempts = 1;
  auto single = MakeClient(endpoint_, once);
  auto too_many = single->CreateStream({.StreamName = UniqueName("huge"), .ShardCount = 100000});
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code(), ErrorCode::kLimitExceeded);
  ASSERT_OK(k.DeleteStream({.StreamName = name}));
}

TEST_F(Operations, PaginatorsFollowEveryListOperation) {
  Client& k = *client_;
  const std::string prefix = UniqueName("pages");
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) {
    created.insert(prefix + "-" + std::to_string(i));
    ASSERT_OK(k.CreateStream({.StreamName = prefix + "-" + std::to_string(i), .ShardCount = 3}));
  }
  std::set<std::string> seen;
  int pages = 0;
  Paginator<ops::ListStreams> streams(k, {.Limit = 2});
  while (streams.HasMorePages()) {
    auto page = streams.NextPage();
    ASSERT_OK(page);
    ++pages;
    for (const auto& s : *page->StreamNames) seen.insert(s);
  }
  for (const auto& s : created) EXPECT_TRUE(seen.count(s)) << s;
  EXPECT_GE(pages, 3);

  const std::string name = prefix + "-0";
  WaitActive(k, name);
  std::vector<std::string> shard_ids;
  Paginator<ops::ListShards> shards(k, {.StreamName = name, .MaxResults = 1});
  while (shards.HasMorePages()) {
    auto page = shards.NextPage();  // NextToken alone after the first page
    ASSERT_OK(page);
    for (const auto& s : *page->Shards) shard_ids.push_back(*s.ShardId);
  }
  EXPECT_EQ(shard_ids, (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002"}));

  std::vector<std::string> described;
  Paginator<ops::DescribeStream> describe(k, {.StreamName = name, .Limit = 1});
  while (describe.HasMorePages()) {
    auto page = describe.NextPage();
    ASSERT_OK(page);
    for (const auto& s : *page->StreamDescription->Shards) described.push_back(*s.ShardId);
  }
  EXPECT_EQ(described, shard_ids);

  auto arn = *k.DescribeStreamSummary({.StreamName = name})->StreamDescriptionSummary->StreamARN;
  for (int i = 0; i < 3; ++i) ASSERT_OK(k.RegisterStreamConsumer({.StreamARN = arn, .ConsumerName = "c" + std::to_string(i)}));
  std::vector<std::string> consumers;
  Paginator<ops::ListStreamConsumers> listed(k, {.StreamARN = arn, .MaxResults = 1});
  while (listed.HasMorePages()) {
    auto page = listed.NextPage();
    ASSERT_OK(page);
    for (const auto& c : *page->Consumers) consumers.push_back(*c.ConsumerName);
  }
  EXPECT_EQ(consumers.size(), 3u);
  for (const auto& s : created) ASSERT_OK(k.DeleteStream({.StreamName = s, .EnforceConsumerDeletion = true}));
}

// Many calls in flight at once over a pool of four connections: each
// completes once, on an I/O thread.
TEST_F(Operations, AsynchronousCallsShareThePool) {
  ClientOptions options;
  options.max_connections = 4;
  options.io_threads = 2;
  auto client = MakeClient(endpoint_, options);
  const std::string name = UniqueName("async");
  ASSERT_OK(client->CreateStream({.StreamName = name, .ShardCount = 2}));
  WaitActive(*client, name);
  constexpr int kCalls = 200;
  std::vector<std::promise<Result<PutRecordOutput>>> done(kCalls);
  std::atomic<int> completions{0};
  for (int i = 0; i < kCalls; ++i) {
    client->PutRecordAsync({.StreamName = name, .Data = std::to_string(i), .PartitionKey = std::to_string(i)},
                           [&, i](Result<PutRecordOutput> r) {
                             ++completions;
                             // A blocking call from a callback would deadlock: refused.
                             if (i == 0) {
                               auto blocked = client->DescribeLimits();
                               EXPECT_FALSE(blocked.ok());
                               EXPECT_EQ(blocked.error().code(), ErrorCode::kInvalidRequest);
                             }
                             done[i].set_value(std::move(r));
                           });
  }
  std::set<std::string> sequence_numbers;
  for (auto& d : done) {
    auto r = d.get_future().get();
    ASSERT_OK(r);
    sequence_numbers.insert(*r->SequenceNumber);
  }
  EXPECT_EQ(completions.load(), kCalls);
  EXPECT_EQ(sequence_numbers.size(), static_cast<size_t>(kCalls));
  ASSERT_OK(client->DeleteStream({.StreamName = name}));
}

}  // namespace
}  // namespace riffle::kinesis::testing
