// Request bodies and response readers for enhanced fan-out: consumer
// registration and the SubscribeToShardEvent payloads of a subscription.
// Like requests.h: protocol::JsonWriter out, simdjson on-demand in.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace riffle::client {

std::string RegisterStreamConsumerBody(std::string_view stream_arn, std::string_view consumer_name);
std::string DescribeStreamConsumerBody(std::string_view consumer_arn);
// `type`: LATEST, TRIM_HORIZON, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER.
std::string SubscribeToShardBody(std::string_view consumer_arn, std::string_view shard_id, std::string_view type,
                                 std::string_view sequence_number = {});

struct ConsumerInfo {
  std::string arn;
  std::string status;  // CREATING, ACTIVE, DELETING
};
// The "Consumer" of RegisterStreamConsumer or the "ConsumerDescription" of
// DescribeStreamConsumer.
std::optional<ConsumerInfo> ParseConsumer(std::string_view body);

struct ShardEvent {
  size_t records = 0;
  std::string continuation_sequence_number;  // empty when absent (after ChildShards)
  int64_t millis_behind_latest = 0;
  bool has_child_shards = false;
};
// Calls `on_record(data_base64)` for every record if set.
using EventRecordVisitor = std::function<void(std::string_view data_base64)>;
std::optional<ShardEvent> ParseSubscribeToShardEvent(std::string_view payload,
                                                     const EventRecordVisitor& on_record = nullptr);

}  // namespace riffle::client
