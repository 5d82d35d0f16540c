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

wire::HashKeyRange ToWire(const core::HashKeyRange& range) {
  wire::HashKeyRange out;
  out.StartingHashKey = range.start.ToDecimal();
  out.EndingHashKey = range.end.ToDecimal();
  return out;
}

double ToSeconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace riffle::handlers
