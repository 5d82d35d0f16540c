#include "client/requests.h"

#include <simdjson.h>

#include "client/json_read.h"
#include "protocol/json_writer.h"

namespace riffle::client {

namespace od = simdjson::ondemand;
using protocol::JsonWriter;

std::string Target(std::string_view op) {
  std::string out = "Kinesis_20131202.";
  out.append(op);
  return out;
}

std::string CreateStreamBody(std::string_view stream, int shard_count) {
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream);
  w.Key("ShardCount");
  w.Int(shard_count);
  w.EndObject();
  return w.Take();
}

std::string DeleteStreamBody(std::string_view stream) {
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream);
  w.EndObject();
  return w.Take();
}

std::string DescribeStreamBody(std::string_view stream, std::string_view exclusive_start_shard_id) {
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream);
  if (!exclusive_start_shard_id.empty()) {
    w.Key("ExclusiveStartShardId");
    w.String(exclusive_start_shard_id);
  }
  w.EndObject();
  return w.Take();
}

std::string PutRecordBody(std::string_view stream, std::string_view partition_key, std::string_view data) {
  JsonWriter w(64 + stream.size() + partition_key.size() + data.size() * 4 / 3);
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream);
  w.Key("PartitionKey");
  w.String(partition_key);
  w.Key("Data");
  w.Blob(data);
  w.EndObject();
  return w.Take();
}

std::string PutRecordsBody(std::string_view stream, std::span<const PutEntry> records) {
  size_t estimate = 64 + stream.size();
  for (const PutEntry& r : records) estimate += 40 + r.partition_key.size() + r.data.size() * 4 / 3 + 4;
  JsonWriter w(estimate);
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream);
  w.Key("Records");
  w.BeginArray();
  for (const PutEntry& r : records) {
    w.BeginObject();
    w.Key("Data");
    w.Blob(r.data);
    w.Key("PartitionKey");
    w.String(r.partition_key);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id, std::string_view type,
                                 std::string_view starting_sequence_number) {
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream);
  w.Key("ShardId");
  w.String(shard_id);
  w.Key("ShardIteratorType");
  w.String(type);
  if (!starting_sequence_number.empty()) {
    w.Key("StartingSequenceNumber");
    w.String(starting_sequence_number);
  }
  w.EndObject();
  return w.Take();
}

std::string GetRecordsBody(std::string_view shard_iterator, std::optional<int> limit) {
  JsonWriter w(shard_iterator.size() + 48);
  w.BeginObject();
  w.Key("ShardIterator");
  w.String(shard_iterator);
  if (limit) {
    w.Key("Limit");
    w.Int(*limit);
  }
  w.EndObject();
  return w.Take();
}

size_t Base64DecodedSize(std::string_view text) {
  size_t n = text.size() / 4 * 3;
  if (!text.empty() && text.back() == '=') --n;
  if (text.size() > 1 && text[text.size() - 2] == '=') --n;
  return n;
}

namespace {

using internal::WithObject;

}  // namespace

std::string ErrorType(std::string_view body) {
  auto type = WithObject<std::string>(body, [](od::object& o) -> std::optional<std::string> {
    for (auto field : o) {
      if (field.unescaped_key().value() == "__type") return std::string(std::string_view(field.value().get_string()));
    }
    return std::string();
  });
  return type.value_or("");
}

std::optional<StreamDescription> ParseDescribeStream(std::string_view body) {
  return WithObject<StreamDescription>(body, [](od::object& o) -> std::optional<StreamDescription> {
    StreamDescription out;
    od::object d = o["StreamDescription"].get_object();
    for (auto field : d) {
      std::string_view key = field.unescaped_key().value();
      if (key == "StreamStatus") {
        out.status = std::string(std::string_view(field.value().get_string()));
      } else if (key == "StreamARN") {
        out.arn = std::string(std::string_view(field.value().get_string()));
      } else if (key == "HasMoreShards") {
        out.has_more_shards = field.value().get_bool();
      } else if (key == "Shards") {
        for (auto shard : field.value().get_array()) {
          out.shard_ids.emplace_back(std::string_view(shard.get_object()["ShardId"].get_string()));
        }
      }
    }
    return out;
  });
}

std::optional<std::string> ParseShardIterator(std::string_view body) {
  return WithObject<std::string>(body, [](od::object& o) -> std::optional<std::string> {
    return std::string(std::string_view(o["ShardIterator"].get_string()));
  });
}

std::optional<int64_t> ParseFailedRecordCount(std::string_view body) {
  return WithObject<int64_t>(body, [](od::object& o) -> std::optional<int64_t> {
    for (auto field : o) {
      if (field.unescaped_key().value() == "FailedRecordCount") return int64_t(field.value().get_int64());
    }
    return std::nullopt;
  });
}

std::optional<RecordsPage> ParseGetRecords(std::string_view body, const RecordVisitor& on_record) {
  return WithObject<RecordsPage>(body, [&](od::object& o) -> std::optional<RecordsPage> {
    RecordsPage page;
    for (auto field : o) {
      std::string_view key = field.unescaped_key().value();
      if (key == "NextShardIterator") {
        od::value v = field.value();
        bool null = v.is_null();
        if (!null) page.next_shard_iterator = std::string(std::string_view(v.get_string()));
      } else if (key == "MillisBehindLatest") {
        page.millis_behind_latest = field.value().get_int64();
      } else if (key == "Records") {
        for (auto record : field.value().get_array()) {
          std::string_view data, sequence;
          for (auto member : record.get_object()) {
            std::string_view name = member.unescaped_key().value();
            if (name == "Data") {
              data = member.value().get_string();
              page.data_bytes += Base64DecodedSize(data);
            } else if (name == "SequenceNumber" && on_record) {
              sequence = member.value().get_string();
            }
          }
          ++page.records;
          if (on_record) on_record(data, sequence);
        }
      }
    }
    return page;
  });
}

}  // namespace riffle::client
