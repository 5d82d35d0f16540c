// CreateStream: a new stream whose shards split the hash key space evenly.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleCreateStream(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::CreateStream>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, std::nullopt, reply);
  if (!address) return;
  // Without ShardCount Kinesis creates an on-demand stream of 4 shards.
  int64_t shard_count = input->ShardCount.value_or(4);
  std::map<std::string, std::string> tags;
  if (input->Tags) tags.insert(input->Tags->begin(), input->Tags->end());
  context.streams.CreateStream(*address, shard_count, ReplyWhenDone(std::move(reply)), std::move(tags));
}

}  // namespace riffle::handlers
