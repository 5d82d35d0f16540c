// UpdateStreamRecordDistributionStrategy: how an on-demand stream spreads
// records over its shards, by partition key (USER_PARTITION_KEY) or evenly
// (AUTO). Takes effect at once; the stream stays ACTIVE.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleUpdateStreamRecordDistributionStrategy(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UpdateStreamRecordDistributionStrategy>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, std::nullopt, input->StreamARN, reply);
  if (!address) return;
  context.streams.UpdateRecordDistribution(*address, core::RecordDistributionOf(*input->RecordDistributionStrategy),
                                           ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
