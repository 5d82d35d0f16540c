#include "client/fanout_requests.h"

#include <simdjson.h>

#include "client/json_read.h"
#include "protocol/json_writer.h"

namespace riffle::client {

namespace od = simdjson::ondemand;
using protocol::JsonWriter;

std::string RegisterStreamConsumerBody(std::string_view stream_arn, std::string_view consumer_name) {
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamARN");
  w.String(stream_arn);
  w.Key("ConsumerName");
  w.String(consumer_name);
  w.EndObject();
  return w.Take();
}

std::string DescribeStreamConsumerBody(std::string_view consumer_arn) {
  JsonWriter w;
  w.BeginObject();
  w.Key("ConsumerARN");
  w.String(consumer_arn);
  w.EndObject();
  return w.Take();
}

std::string SubscribeToShardBody(std::string_view consumer_arn, std::string_view shard_id, std::string_view type,
                                 std::string_view sequence_number) {
  JsonWriter w;
  w.BeginObject();
  w.Key("ConsumerARN");
  w.String(consumer_arn);
  w.Key("ShardId");
  w.String(shard_id);
  w.Key("StartingPosition");
  w.BeginObject();
  w.Key("Type");
  w.String(type);
  if (!sequence_number.empty()) {
    w.Key("SequenceNumber");
    w.String(sequence_number);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

namespace {

using internal::WithObject;

std::string Text(od::value v) { return std::string(std::string_view(v.get_string())); }

}  // namespace

std::optional<ConsumerInfo> ParseConsumer(std::string_view body) {
  return WithObject<ConsumerInfo>(body, [](od::object& o) -> std::optional<ConsumerInfo> {
    for (auto field : o) {
      std::string_view key = field.unescaped_key().value();
      if (key != "Consumer" && key != "ConsumerDescription") continue;
      ConsumerInfo out;
      for (auto member : field.value().get_object()) {
        std::string_view name = member.unescaped_key().value();
        if (name == "ConsumerARN") out.arn = Text(member.value());
        if (name == "ConsumerStatus") out.status = Text(member.value());
      }
      if (out.arn.empty()) return std::nullopt;
      return out;
    }
    return std::nullopt;
  });
}

std::optional<ShardEvent> ParseSubscribeToShardEvent(std::string_view payload, const EventRecordVisitor& on_record) {
  return WithObject<ShardEvent>(payload, [&](od::object& o) -> std::optional<ShardEvent> {
    ShardEvent event;
    for (auto field : o) {
      std::string_view key = field.unescaped_key().value();
      if (key == "ContinuationSequenceNumber") {
        event.continuation_sequence_number = Text(field.value());
      } else if (key == "MillisBehindLatest") {
        event.millis_behind_latest = field.value().get_int64();
      } else if (key == "ChildShards") {
        event.has_child_shards = true;
      } else if (key == "Records") {
        for (auto record : field.value().get_array()) {
          std::string_view data;
          for (auto member : record.get_object()) {
            if (member.unescaped_key().value() == "Data") data = member.value().get_string();
          }
          ++event.records;
          if (on_record) on_record(data);
        }
      }
    }
    return event;
  });
}

}  // namespace riffle::client
