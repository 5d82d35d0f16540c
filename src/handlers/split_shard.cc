// SplitShard: closes a shard and opens two children over its hash range.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleSplitShard(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::SplitShard>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.SplitShard(*address, *input->ShardToSplit, *input->NewStartingHashKey,
                             ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
