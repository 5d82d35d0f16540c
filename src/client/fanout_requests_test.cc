#include "client/fanout_requests.h"

#include <gtest/gtest.h>

#include <vector>

namespace riffle::client {
namespace {

TEST(FanoutRequests, Bodies) {
  EXPECT_EQ(RegisterStreamConsumerBody("arn:s", "c"), R"({"StreamARN":"arn:s","ConsumerName":"c"})");
  EXPECT_EQ(DescribeStreamConsumerBody("arn:c"), R"({"ConsumerARN":"arn:c"})");
  EXPECT_EQ(SubscribeToShardBody("arn:c", "shardId-000000000001", "LATEST"),
            R"({"ConsumerARN":"arn:c","ShardId":"shardId-000000000001","StartingPosition":{"Type":"LATEST"}})");
  EXPECT_EQ(SubscribeToShardBody("arn:c", "shardId-000000000001", "AFTER_SEQUENCE_NUMBER", "49"),
            R"({"ConsumerARN":"arn:c","ShardId":"shardId-000000000001",)"
            R"("StartingPosition":{"Type":"AFTER_SEQUENCE_NUMBER","SequenceNumber":"49"}})");
}

TEST(FanoutRequests, ParseConsumer) {
  auto registered = ParseConsumer(
      R"({"Consumer":{"ConsumerName":"c","ConsumerARN":"arn:c","ConsumerStatus":"CREATING",)"
      R"("ConsumerCreationTimestamp":1.7e9}})");
  ASSERT_TRUE(registered);
  EXPECT_EQ(registered->arn, "arn:c");
  EXPECT_EQ(registered->status, "CREATING");
  auto described = ParseConsumer(R"({"ConsumerDescription":{"ConsumerARN":"arn:d","ConsumerStatus":"ACTIVE"}})");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->status, "ACTIVE");
  EXPECT_FALSE(ParseConsumer(R"({"__type":"ResourceNotFoundException"})"));
  EXPECT_FALSE(ParseConsumer("not json"));
}

TEST(FanoutRequests, ParseSubscribeToShardEvent) {
  std::vector<std::string> data;
  auto event = ParseSubscribeToShardEvent(
      R"({"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1.5,"Data":"aGk=","PartitionKey":"k"},)"
      R"({"Data":"","PartitionKey":"k","SequenceNumber":"2"}],"ContinuationSequenceNumber":"2",)"
      R"("MillisBehindLatest":3})",
      [&](std::string_view d) { data.emplace_back(d); });
  ASSERT_TRUE(event);
  EXPECT_EQ(event->records, 2u);
  EXPECT_EQ(data, (std::vector<std::string>{"aGk=", ""}));
  EXPECT_EQ(event->continuation_sequence_number, "2");
  EXPECT_EQ(event->millis_behind_latest, 3);
  EXPECT_FALSE(event->has_child_shards);

  auto last = ParseSubscribeToShardEvent(
      R"({"Records":[],"MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-000000000002"}]})");
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->has_child_shards);
  EXPECT_EQ(last->continuation_sequence_number, "");
  EXPECT_FALSE(ParseSubscribeToShardEvent("{\"Records\":"));
}

}  // namespace
}  // namespace riffle::client
