// DescribeLimits: the account's shard limit and current counts in the region.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDescribeLimits(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DescribeLimits>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  core::AccountLimits limits = context.streams.DescribeLimits(context.scope.account_id, context.scope.region);
  wire::DescribeLimitsOutput output;
  output.ShardLimit = limits.shard_limit;
  output.OpenShardCount = limits.open_shard_count;
  output.OnDemandStreamCount = limits.on_demand_stream_count;
  output.OnDemandStreamCountLimit = limits.on_demand_stream_count_limit;
  if (context.channels != nullptr) {
    auto channels = context.channels->Count(context.scope.account_id, context.scope.region);
    if (!channels.ok()) return ReplyError(reply, channels.status());
    output.ChannelCount = *channels;
    // Two channels per on-demand stream at most (one S3, one S3 Tables), as AWS bounds them.
    output.ChannelCountLimit = 2 * limits.on_demand_stream_count_limit;
  }
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
