#include "client/requests.h"

#include <gtest/gtest.h>

#include "client/connection.h"

namespace riffle::client {
namespace {

TEST(Requests, Bodies) {
  EXPECT_EQ(CreateStreamBody("orders", 2), R"({"StreamName":"orders","ShardCount":2})");
  EXPECT_EQ(PutRecordBody("orders", "k", "hello"), R"({"StreamName":"orders","PartitionKey":"k","Data":"aGVsbG8="})");
  PutEntry entries[] = {{"a", "hi"}, {"b", ""}};
  EXPECT_EQ(PutRecordsBody("s", entries),
            R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"a"},{"Data":"","PartitionKey":"b"}]})");
  EXPECT_EQ(GetShardIteratorBody("s", "shardId-000000000000", "AT_SEQUENCE_NUMBER", "123"),
            R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER",)"
            R"("StartingSequenceNumber":"123"})");
  EXPECT_EQ(GetRecordsBody("it", 10), R"({"ShardIterator":"it","Limit":10})");
  EXPECT_EQ(GetRecordsBody("it"), R"({"ShardIterator":"it"})");
  EXPECT_EQ(Target("PutRecord"), "Kinesis_20131202.PutRecord");
}

TEST(Requests, ParseGetRecords) {
  std::string body =
      R"({"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1.5,"Data":"aGVsbG8=","PartitionKey":"k"},)"
      R"({"SequenceNumber":"2","Data":"aGk=","PartitionKey":"k"}],"NextShardIterator":"next","MillisBehindLatest":7})";
  std::vector<std::string> seen;
  auto page = ParseGetRecords(body, [&](std::string_view data, std::string_view seq) {
    seen.push_back(std::string(data) + "@" + std::string(seq));
  });
  ASSERT_TRUE(page);
  EXPECT_EQ(page->records, 2u);
  EXPECT_EQ(page->data_bytes, 7u);
  EXPECT_EQ(page->next_shard_iterator, "next");
  EXPECT_EQ(page->millis_behind_latest, 7);
  EXPECT_EQ(seen, (std::vector<std::string>{"aGVsbG8=@1", "aGk=@2"}));
  auto closed = ParseGetRecords(R"({"Records":[],"NextShardIterator":null,"ChildShards":[]})");
  ASSERT_TRUE(closed);
  EXPECT_FALSE(closed->next_shard_iterator);
  EXPECT_FALSE(ParseGetRecords("not json"));
}

TEST(Requests, ParseOthers) {
  auto d = ParseDescribeStream(
      R"({"StreamDescription":{"StreamName":"s","StreamStatus":"ACTIVE","HasMoreShards":false,)"
      R"("Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{}},{"ShardId":"shardId-000000000001"}]}})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, "ACTIVE");
  EXPECT_EQ(d->shard_ids, (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  EXPECT_EQ(ParseShardIterator(R"({"ShardIterator":"abc"})"), "abc");
  EXPECT_EQ(ParseFailedRecordCount(R"({"FailedRecordCount":3,"Records":[]})"), 3);
  EXPECT_EQ(ErrorType(R"({"__type":"ResourceNotFoundException","message":"x"})"), "ResourceNotFoundException");
  EXPECT_EQ(ErrorType("{}"), "");
}

TEST(Endpoint, Parse) {
  auto e = ParseEndpoint("http://127.0.0.1:4567/");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 4567);
  EXPECT_EQ(e->host_header, "127.0.0.1:4567");
  EXPECT_FALSE(ParseEndpoint("https://x:1").ok());
  EXPECT_FALSE(ParseEndpoint("http://x:99999").ok());
}

}  // namespace
}  // namespace riffle::client
