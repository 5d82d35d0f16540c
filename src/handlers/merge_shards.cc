// MergeShards: closes two adjacent shards and opens one child over both.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleMergeShards(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::MergeShards>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.MergeShards(*address, *input->ShardToMerge, *input->AdjacentShardToMerge,
                              ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
