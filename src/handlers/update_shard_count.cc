// UpdateShardCount: UNIFORM_SCALING to a target number of open shards.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleUpdateShardCount(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UpdateShardCount>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  // ScalingType is required and UNIFORM_SCALING is its only value (validated).
  context.streams.UpdateShardCount(
      *address, *input->TargetShardCount,
      [reply = std::move(reply)](StatusOr<core::ShardCountUpdate> update) {
        if (!update.ok()) return ReplyError(reply, update.status());
        wire::UpdateShardCountOutput output;
        output.StreamName = update->name;
        output.StreamARN = update->arn;
        output.CurrentShardCount = update->current_shard_count;
        output.TargetShardCount = update->target_shard_count;
        ReplyWith(reply, output);
      });
}

}  // namespace riffle::handlers
