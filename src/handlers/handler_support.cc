#include "handlers/handler_support.h"

#include "handlers/authorizer.h"
#include "handlers/key_ring.h"

namespace riffle::handlers {

core::StreamService::Done ReplyWhenDone(Reply reply) {
  return [reply = std::move(reply)](Status status) {
    if (!status.ok()) return ReplyError(reply, status);
    reply(std::string());  // an empty output is an empty body, as AWS sends it
  };
}

namespace {

// The check of one request against the operation's row of the action table.
std::optional<protocol::ApiError> CheckKind(const Context& context, ResourceKind actual) {
  std::optional<ResourceKind> expected = ResourceKindOf(context.operation);
  bool fits = expected == actual ||
              (expected == ResourceKind::kStreamOrConsumer &&
               (actual == ResourceKind::kStream || actual == ResourceKind::kConsumer));
  if (fits) return std::nullopt;
  return protocol::ApiError::InternalFailure("no authorization rule for " + std::string(context.operation));
}

AccessRequest Request(const Context& context, std::string resource_arn, std::string owner_account) {
  AccessRequest request;
  request.caller = context.caller.get();
  request.operation = context.operation;
  request.region = context.scope.region;
  request.secure_transport = context.secure_transport;
  request.resource_arn = std::move(resource_arn);
  request.owner_account = std::move(owner_account);
  return request;
}

// May the caller act on `ref` (named `arn`)? Replies and returns false when not.
bool Authorize(const Context& context, std::string arn, const core::ResourceRef& ref, const Reply& reply) {
  if (!context.caller) return true;
  if (auto error = CheckKind(context, ref.consumer ? ResourceKind::kConsumer : ResourceKind::kStream)) {
    reply(std::move(*error));
    return false;
  }
  AccessRequest request = Request(context, std::move(arn), ref.stream.account_id);
  request.resource = ref;
  if (auto denied = context.authorizer->Check(request)) {
    reply(std::move(*denied));
    return false;
  }
  return true;
}

std::optional<core::StreamAddress> StreamOf(const Context& context, const std::optional<std::string>& name,
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

std::optional<ConsumerRef> ConsumerOf(const Context& context, const std::optional<std::string>& stream_arn,
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
    auto stream = StreamOf(context, std::nullopt, arn.substr(0, marker), reply);
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
  auto stream = StreamOf(context, std::nullopt, stream_arn, reply);
  if (!stream) return std::nullopt;
  return ConsumerRef{std::move(*stream), *consumer_name, std::nullopt};
}

}  // namespace

bool AuthorizeAccount(const Context& context, const Reply& reply) {
  if (!context.caller) return true;
  std::optional<protocol::ApiError> refused = CheckKind(context, ResourceKind::kAccount);
  if (!refused) refused = context.authorizer->Check(Request(context, "*", context.caller->account_id));
  if (!refused) return true;
  reply(std::move(*refused));
  return false;
}

bool AuthorizeStream(const Context& context, const core::StreamAddress& address, const Reply& reply) {
  return Authorize(context, address.Arn(), core::ResourceRef{address, std::nullopt, std::nullopt}, reply);
}

std::optional<core::StreamAddress> ResolveStream(const Context& context, const std::optional<std::string>& name,
                                                 const std::optional<std::string>& arn, const Reply& reply) {
  auto address = StreamOf(context, name, arn, reply);
  if (!address || !AuthorizeStream(context, *address, reply)) return std::nullopt;
  return address;
}

std::optional<ConsumerRef> ResolveConsumer(const Context& context, const std::optional<std::string>& stream_arn,
                                           const std::optional<std::string>& consumer_name,
                                           const std::optional<std::string>& consumer_arn, const Reply& reply) {
  auto ref = ConsumerOf(context, stream_arn, consumer_name, consumer_arn, reply);
  if (!ref || !context.caller) return ref;
  // The consumer's ARN: as given, else its real one (with its creation time).
  std::string arn;
  if (consumer_arn) {
    arn = *consumer_arn;
  } else if (auto found = context.streams.DescribeConsumer(ref->stream, ref->name, std::nullopt); found.ok()) {
    arn = found->arn;
  } else {
    arn = ref->stream.Arn() + "/consumer/" + ref->name;
  }
  if (!Authorize(context, arn, core::ResourceRef{ref->stream, ref->name, ref->created_seconds}, reply)) {
    return std::nullopt;
  }
  return ref;
}

std::optional<core::ResourceRef> ResolveResource(const Context& context, const std::string& resource_arn,
                                                 const Reply& reply) {
  if (resource_arn.find("/consumer/") != std::string::npos) {
    auto consumer = ConsumerOf(context, std::nullopt, std::nullopt, resource_arn, reply);
    if (!consumer) return std::nullopt;
    core::ResourceRef ref{std::move(consumer->stream), std::move(consumer->name), consumer->created_seconds};
    if (!Authorize(context, resource_arn, ref, reply)) return std::nullopt;
    return ref;
  }
  auto stream = StreamOf(context, std::nullopt, resource_arn, reply);
  if (!stream) return std::nullopt;
  core::ResourceRef ref{std::move(*stream), std::nullopt, std::nullopt};
  if (!Authorize(context, ref.stream.Arn(), ref, reply)) return std::nullopt;
  return ref;
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
