// ListShards: a stream's shards, filtered (ShardFilter) and paged (NextToken).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

namespace {

std::optional<core::ShardFilterType> FilterType(const std::string& type) {
  using core::ShardFilterType;
  if (type == "AFTER_SHARD_ID") return ShardFilterType::kAfterShardId;
  if (type == "AT_TRIM_HORIZON") return ShardFilterType::kAtTrimHorizon;
  if (type == "FROM_TRIM_HORIZON") return ShardFilterType::kFromTrimHorizon;
  if (type == "AT_LATEST") return ShardFilterType::kAtLatest;
  if (type == "AT_TIMESTAMP") return ShardFilterType::kAtTimestamp;
  if (type == "FROM_TIMESTAMP") return ShardFilterType::kFromTimestamp;
  return std::nullopt;  // validation rejects other values first
}

}  // namespace

void HandleListShards(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::ListShards>(body, reply);
  if (!input) return;
  core::ListShardsRequest request;
  request.max_results = input->MaxResults;
  if (input->NextToken) {
    // The token names the stream, its position and its filter.
    if (input->StreamName || input->StreamARN) {
      return reply(protocol::ApiError::InvalidArgument("NextToken and StreamName cannot be provided together."));
    }
    if (input->ExclusiveStartShardId) {
      return reply(
          protocol::ApiError::InvalidArgument("NextToken and ExclusiveStartShardId cannot be provided together."));
    }
    if (input->StreamCreationTimestamp) {
      return reply(
          protocol::ApiError::InvalidArgument("NextToken and StreamCreationTimestamp cannot be provided together."));
    }
    if (input->ShardFilter) {
      return reply(protocol::ApiError::InvalidArgument("NextToken and ShardFilter cannot be provided together."));
    }
    request.next_token = input->NextToken;
  } else {
    if (!input->StreamName && !input->StreamARN) {
      return reply(protocol::ApiError::InvalidArgument("Either NextToken or StreamName should be provided."));
    }
    auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
    if (!address) return;
    request.stream = *address;
    request.exclusive_start_shard_id = input->ExclusiveStartShardId;
    request.stream_creation_seconds = input->StreamCreationTimestamp;
    if (input->ShardFilter) {
      auto type = FilterType(input->ShardFilter->Type.value_or(""));
      if (!type) return reply(protocol::ApiError::InvalidArgument("Invalid ShardFilter type."));
      request.filter = core::ShardFilter{*type, input->ShardFilter->ShardId, input->ShardFilter->Timestamp};
    }
  }
  auto listed = context.streams.ListShards(request);
  if (!listed.ok()) return ReplyError(reply, listed.status());
  wire::ListShardsOutput output;
  output.Shards.emplace();
  for (const core::ShardDescription& shard : listed->shards) output.Shards->push_back(ToWire(shard));
  output.NextToken = listed->next_token;
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
