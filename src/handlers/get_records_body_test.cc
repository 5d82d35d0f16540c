// The hand-written GetRecords body equals the generated encoder's output for
// the same page.
#include "handlers/get_records_body.h"

#include <gtest/gtest.h>

#include <string>

#include "handlers/handler_support.h"
#include "protocol/wire_json.h"

namespace riffle::handlers {
namespace {

// The page as wire types, encoded by the generated encoder.
std::string EncodeWithWireTypes(const core::RecordsPage& page) {
  wire::GetRecordsOutput output;
  output.Records.emplace();
  for (const core::RecordOut& r : page.records) {
    wire::Record record;
    record.SequenceNumber = r.sequence_number;
    record.ApproximateArrivalTimestamp = ToSeconds(r.arrival_ms);
    record.Data = std::string(r.data);
    record.PartitionKey = std::string(r.partition_key);
    if (page.encrypted) record.EncryptionType = "KMS";
    output.Records->push_back(std::move(record));
  }
  output.NextShardIterator = page.next_shard_iterator;
  output.MillisBehindLatest = page.millis_behind_latest;
  if (!output.NextShardIterator) {
    output.ChildShards.emplace();
    for (const core::ChildShard& c : page.child_shards) {
      wire::ChildShard child;
      child.ShardId = c.shard_id;
      child.ParentShards = c.parent_shards;
      child.HashKeyRange = ToWire(c.range);
      output.ChildShards->push_back(std::move(child));
    }
  }
  return protocol::EncodeJson(output);
}

// Record i of `page`, its bytes held by the page's arena.
core::RecordOut Record(core::RecordsPage& page, int i, size_t size) {
  core::RecordOut r;
  r.sequence_number = "4959" + std::to_string(1000000 + i);
  r.arrival_ms = 1700000000000 + i * 37;
  r.partition_key = page.bytes.Copy("key \"" + std::to_string(i) + "\"\n");
  std::string data;
  for (size_t j = 0; j < size; ++j) data.push_back(static_cast<char>((i * 31 + j * 7) & 0xff));
  r.data = page.bytes.Copy(data);
  return r;
}

TEST(GetRecordsBodyTest, EmptyPage) {
  core::RecordsPage page;
  page.next_shard_iterator = "AAAA";
  EXPECT_EQ(EncodeGetRecordsBody(page), EncodeWithWireTypes(page));
  EXPECT_EQ(EncodeGetRecordsBody(page), R"({"Records":[],"NextShardIterator":"AAAA","MillisBehindLatest":0})");
}

TEST(GetRecordsBodyTest, RecordsOfManySizes) {
  core::RecordsPage page;
  for (int i = 0; i < 70; ++i) page.records.push_back(Record(page, i, static_cast<size_t>(i * 13)));
  page.next_shard_iterator = std::string(300, 'x');
  page.millis_behind_latest = 1234;
  EXPECT_EQ(EncodeGetRecordsBody(page), EncodeWithWireTypes(page));
  page.encrypted = true;
  EXPECT_EQ(EncodeGetRecordsBody(page), EncodeWithWireTypes(page));
}

TEST(GetRecordsBodyTest, EndOfClosedShard) {
  core::RecordsPage page;
  page.records.push_back(Record(page, 1, 5));
  core::ChildShard merged;
  merged.shard_id = "shardId-000000000002";
  merged.parent_shards = {"shardId-000000000000", "shardId-000000000001"};
  merged.range.start = core::HashKey();
  merged.range.end = *core::HashKey::FromDecimal("340282366920938463463374607431768211455");
  page.child_shards.push_back(merged);
  EXPECT_EQ(EncodeGetRecordsBody(page), EncodeWithWireTypes(page));
  page.child_shards.clear();
  EXPECT_EQ(EncodeGetRecordsBody(page), EncodeWithWireTypes(page));
}

}  // namespace
}  // namespace riffle::handlers
