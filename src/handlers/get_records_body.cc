#include "handlers/get_records_body.h"

#include "handlers/handler_support.h"
#include "protocol/json_writer.h"

namespace riffle::handlers {
namespace {

// Member names and punctuation of one record, beyond its variable parts.
constexpr size_t kRecordOverhead = 160;

size_t EstimateSize(const core::RecordsPage& page) {
  size_t size = 128 + (page.next_shard_iterator ? page.next_shard_iterator->size() : 0);
  for (const core::RecordOut& r : page.records) {
    size += kRecordOverhead + r.sequence_number.size() + r.partition_key.size() + (r.data.size() + 2) / 3 * 4;
  }
  for (const core::ChildShard& c : page.child_shards) size += 200 + 40 * c.parent_shards.size();
  return size;
}

void WriteChildShard(const core::ChildShard& child, protocol::JsonWriter& w) {
  wire::HashKeyRange range = ToWire(child.range);
  w.BeginObject();
  w.Key("ShardId");
  w.String(child.shard_id);
  w.Key("ParentShards");
  w.BeginArray();
  for (const std::string& parent : child.parent_shards) w.String(parent);
  w.EndArray();
  w.Key("HashKeyRange");
  w.BeginObject();
  w.Key("StartingHashKey");
  w.String(*range.StartingHashKey);
  w.Key("EndingHashKey");
  w.String(*range.EndingHashKey);
  w.EndObject();
  w.EndObject();
}

}  // namespace

std::string EncodeGetRecordsBody(const core::RecordsPage& page) {
  protocol::JsonWriter w(EstimateSize(page));
  w.BeginObject();
  w.Key("Records");
  w.BeginArray();
  for (const core::RecordOut& r : page.records) {
    w.BeginObject();
    w.Key("SequenceNumber");
    w.String(r.sequence_number);
    w.Key("ApproximateArrivalTimestamp");
    w.Timestamp(ToSeconds(r.arrival_ms));
    w.Key("Data");
    w.Blob(r.data);
    w.Key("PartitionKey");
    w.String(r.partition_key);
    if (page.encrypted) {
      w.Key("EncryptionType");
      w.String("KMS");
    }
    w.EndObject();
  }
  w.EndArray();
  if (page.next_shard_iterator) {
    w.Key("NextShardIterator");
    w.String(*page.next_shard_iterator);
  }
  w.Key("MillisBehindLatest");
  w.Int(page.millis_behind_latest);
  if (!page.next_shard_iterator) {
    w.Key("ChildShards");
    w.BeginArray();
    for (const core::ChildShard& c : page.child_shards) WriteChildShard(c, w);
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace riffle::handlers
