#include "handlers/handler_support.h"

namespace riffle::handlers {

core::StreamService::Done ReplyWhenDone(Reply reply) {
  return [reply = std::move(reply)](Status status) {
    if (!status.ok()) return ReplyError(reply, status);
    reply(std::string("{}"));
  };
}

std::optional<core::StreamAddress> ResolveStream(const Context& context, const std::optional<std::string>& name,
                                                 const std::optional<std::string>& arn, const Reply& reply) {
  core::StreamAddress address{context.scope.account_id, context.scope.region, name.value_or("")};
  if (arn) {
    // arn:aws:kinesis:<region>:<account>:stream/<name> (pattern checked by validation).
    std::string_view rest(*arn);
    std::string parts[5];
    for (auto& part : parts) {
      size_t colon = rest.find(':');
      if (colon == std::string_view::npos) break;
      part = std::string(rest.substr(0, colon));
      rest.remove_prefix(colon + 1);
    }
    constexpr std::string_view kStream = "stream/";
    if (rest.substr(0, kStream.size()) != kStream || parts[3].empty() || parts[4].empty()) {
      reply(protocol::ApiError::InvalidArgument("StreamARN " + *arn + " is invalid."));
      return std::nullopt;
    }
    std::string arn_name(rest.substr(kStream.size()));
    if (name && *name != arn_name) {
      reply(protocol::ApiError::InvalidArgument("StreamARN " + *arn + " and StreamName " + *name +
                                                " do not identify the same stream."));
      return std::nullopt;
    }
    address.region = parts[3];
    address.account_id = parts[4];
    address.name = std::move(arn_name);
    return address;
  }
  if (!name) {
    reply(protocol::ApiError::Validation(
        "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be "
        "null"));
    return std::nullopt;
  }
  return address;
}

std::optional<ConsumerRef> ResolveConsumer(const Context& context, const std::optional<std::string>& stream_arn,
                                           const std::optional<std::string>& consumer_name,
                                           const std::optional<std::string>& consumer_arn, const Reply& reply) {
  if (consumer_arn) {
    // arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<seconds> (pattern checked by validation).
    const std::string& arn = *consumer_arn;
    constexpr std::string_view kConsumer = "/consumer/";
    size_t marker = arn.find(kConsumer);
    size_t colon = arn.rfind(':');
    if (marker == std::string::npos || colon == std::string::npos || colon < marker) {
      reply(protocol::ApiError::InvalidArgument("ConsumerARN " + arn + " is invalid."));
      return std::nullopt;
    }
    ConsumerRef ref;
    ref.name = arn.substr(marker + kConsumer.size(), colon - marker - kConsumer.size());
    std::string seconds = arn.substr(colon + 1);
    if (seconds.empty() || seconds.size() > 15) {
      reply(protocol::ApiError::InvalidArgument("ConsumerARN " + arn + " is invalid."));
      return std::nullopt;
    }
    ref.created_seconds = std::stoll(seconds);
    auto stream = ResolveStream(context, std::nullopt, arn.substr(0, marker), reply);
    if (!stream) return std::nullopt;
    ref.stream = std::move(*stream);
    return ref;
  }
  if (!stream_arn || !consumer_name) {
    // Wording not verified against AWS.
    reply(protocol::ApiError::InvalidArgument(
        "Either ConsumerARN or both StreamARN and ConsumerName must be provided."));
    return std::nullopt;
  }
  auto stream = ResolveStream(context, std::nullopt, stream_arn, reply);
  if (!stream) return std::nullopt;
  return ConsumerRef{std::move(*stream), *consumer_name, std::nullopt};
}

std::optional<core::ResourceRef> ResolveResource(const Context& context, const std::string& resource_arn,
                                                 const Reply& reply) {
  if (resource_arn.find("/consumer/") != std::string::npos) {
    auto consumer = ResolveConsumer(context, std::nullopt, std::nullopt, resource_arn, reply);
    if (!consumer) return std::nullopt;
    return core::ResourceRef{std::move(consumer->stream), std::move(consumer->name), consumer->created_seconds};
  }
  auto stream = ResolveStream(context, std::nullopt, resource_arn, reply);
  if (!stream) return std::nullopt;
  return core::ResourceRef{std::move(*stream), std::nullopt, std::nullopt};
}

wire::Consumer ToWireConsumer(const core::ConsumerDescription& consumer) {
  wire::Consumer c;
  c.ConsumerName = consumer.name;
  c.ConsumerARN = consumer.arn;
  c.ConsumerStatus = core::ConsumerStatusName(consumer.status);
  c.ConsumerCreationTimestamp = ToSeconds(consumer.created_ms);
  return c;
}

wire::HashKeyRange ToWire(const core::HashKeyRange& range) {
  wire::HashKeyRange out;
  out.StartingHashKey = range.start.ToDecimal();
  out.EndingHashKey = range.end.ToDecimal();
  return out;
}

wire::Shard ToWire(const core::ShardDescription& shard) {
  wire::Shard s;
  s.ShardId = shard.shard_id;
  s.ParentShardId = shard.parent_shard_id;
  s.AdjacentParentShardId = shard.adjacent_parent_shard_id;
  s.HashKeyRange = ToWire(shard.range);
  s.SequenceNumberRange.emplace();
  s.SequenceNumberRange->StartingSequenceNumber = shard.starting_sequence_number;
  s.SequenceNumberRange->EndingSequenceNumber = shard.ending_sequence_number;
  return s;
}

std::vector<wire::EnhancedMetrics> EnhancedMonitoringToWire(const std::vector<std::string>& metrics) {
  std::vector<wire::EnhancedMetrics> out(1);
  out[0].ShardLevelMetrics = metrics;
  return out;
}

double ToSeconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace riffle::handlers
