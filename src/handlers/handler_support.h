// Shared steps of every handler: decode + validate, stream addressing, and
// replying with an output or a domain error.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "handlers/handler.h"
#include "protocol/api_error.h"
#include "protocol/wire_json.h"
#include "protocol/wire_types.h"

namespace riffle::handlers {

// Decodes and validates the input of `Op`; on failure replies with the
// error and returns nullopt.
template <typename Op>
std::optional<typename Op::Input> DecodeInput(std::string_view body, const Reply& reply) {
  auto input = protocol::DecodeJson<typename Op::Input>(body);
  if (!input.ok()) {
    reply(input.error());
    return std::nullopt;
  }
  if (auto error = protocol::Validate(input.value())) {
    reply(std::move(*error));
    return std::nullopt;
  }
  return std::move(input).value();
}

template <typename Output>
void ReplyWith(const Reply& reply, const Output& output) {
  reply(protocol::EncodeJson(output));
}

inline void ReplyError(const Reply& reply, const Status& status) { reply(protocol::ToApiError(status)); }

// The answer to a data-plane call with DryRun set that would have succeeded
// (HTTP 400; the text is not recorded from AWS).
inline protocol::ApiError DryRunError() {
  return {400, "DryRunOperationException", "Request would have succeeded, but DryRun flag is set."};
}

// Replies `{}` on success, the mapped error otherwise.
core::StreamService::Done ReplyWhenDone(Reply reply);

// Authorization (only when the context has a caller; handlers/authorizer.h):
// may the caller perform the context's operation on the account ("*")?
// Replies AccessDeniedException and returns false when not.
bool AuthorizeAccount(const Context& context, const Reply& reply);
// ... on the stream at `address` (GetRecords: the stream its iterator reads)?
bool AuthorizeStream(const Context& context, const core::StreamAddress& address, const Reply& reply);

// The stream a request names, by StreamName or StreamARN (the ARN's region
// and account win), once the caller may act on it (AuthorizeStream).
// Replies with the error and returns nullopt when neither names a stream,
// they disagree, or the caller may not.
std::optional<core::StreamAddress> ResolveStream(const Context& context, const std::optional<std::string>& name,
                                                 const std::optional<std::string>& arn, const Reply& reply);

// The consumer a request names: by ConsumerARN, or by StreamARN and
// ConsumerName, once the caller may act on it (its ARN). Replies with the
// error and returns nullopt otherwise.
struct ConsumerRef {
  core::StreamAddress stream;
  std::string name;
  std::optional<int64_t> created_seconds;  // from a ConsumerARN
};
std::optional<ConsumerRef> ResolveConsumer(const Context& context, const std::optional<std::string>& stream_arn,
                                           const std::optional<std::string>& consumer_name,
                                           const std::optional<std::string>& consumer_arn, const Reply& reply);

// The resource a ResourceARN names: a stream ARN or a consumer ARN, once the
// caller may act on it. Replies with the error and returns nullopt otherwise.
std::optional<core::ResourceRef> ResolveResource(const Context& context, const std::string& resource_arn,
                                                 const Reply& reply);

// Output pieces shared by several operations.
wire::HashKeyRange ToWire(const core::HashKeyRange& range);
wire::Shard ToWire(const core::ShardDescription& shard);
wire::Consumer ToWireConsumer(const core::ConsumerDescription& consumer);
// `[{"ShardLevelMetrics": [...]}]`, as DescribeStream(Summary) report it.
std::vector<wire::EnhancedMetrics> EnhancedMonitoringToWire(const std::vector<std::string>& metrics);
double ToSeconds(int64_t ms);

}  // namespace riffle::handlers
