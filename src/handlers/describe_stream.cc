// DescribeStream: status, ARN and a page of shards with their lineage.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDescribeStream(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DescribeStream>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  auto described = context.streams.DescribeStream(*address, input->Limit, input->ExclusiveStartShardId);
  if (!described.ok()) return ReplyError(reply, described.status());
  const core::StreamDescription& d = *described;

  wire::StreamDescription sd;
  sd.StreamName = d.name;
  sd.StreamARN = d.arn;
  sd.StreamStatus = core::StreamStatusName(d.status);
  sd.StreamModeDetails = wire::StreamModeDetails{};
  sd.StreamModeDetails->StreamMode = core::StreamModeName(d.mode);
  sd.HasMoreShards = d.has_more_shards;
  sd.RetentionPeriodHours = d.retention_hours;
  sd.StreamCreationTimestamp = ToSeconds(d.created_ms);
  sd.EncryptionType = d.encrypted ? "KMS" : "NONE";
  if (d.encrypted) sd.KeyId = d.key_id;
  sd.EnhancedMonitoring = EnhancedMonitoringToWire(d.shard_level_metrics);
  sd.Shards.emplace();
  for (const core::ShardDescription& shard : d.shards) sd.Shards->push_back(ToWire(shard));
  wire::DescribeStreamOutput output;
  output.StreamDescription = std::move(sd);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
