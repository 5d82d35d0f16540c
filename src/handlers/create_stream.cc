// CreateStream: a new stream whose shards split the hash key space evenly.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleCreateStream(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::CreateStream>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, std::nullopt, reply);
  if (!address) return;
  core::StreamCreation creation;
  creation.shard_count = input->ShardCount;
  // Without StreamModeDetails, a ShardCount makes a PROVISIONED stream and
  // none an ON_DEMAND stream (of 4 shards).
  bool on_demand = input->StreamModeDetails ? input->StreamModeDetails->StreamMode == "ON_DEMAND" : !input->ShardCount;
  creation.mode = on_demand ? core::StreamMode::kOnDemand : core::StreamMode::kProvisioned;
  if (input->Tags) creation.tags.insert(input->Tags->begin(), input->Tags->end());
  creation.max_record_size_kib = input->MaxRecordSizeInKiB;
  creation.warm_throughput_mibps = input->WarmThroughputMiBps;
  if (input->RecordDistributionStrategy) {
    creation.distribution = core::RecordDistributionOf(*input->RecordDistributionStrategy);
  }
  context.streams.CreateStream(*address, std::move(creation), ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
