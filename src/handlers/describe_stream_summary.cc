// DescribeStreamSummary: a stream's status and settings without its shards.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDescribeStreamSummary(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DescribeStreamSummary>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  auto described = context.streams.DescribeStreamSummary(*address);
  if (!described.ok()) return ReplyError(reply, described.status());
  const core::StreamSummaryDescription& d = *described;

  wire::StreamDescriptionSummary sd;
  sd.StreamName = d.name;
  sd.StreamARN = d.arn;
  sd.StreamStatus = core::StreamStatusName(d.status);
  sd.StreamModeDetails = wire::StreamModeDetails{};
  sd.StreamModeDetails->StreamMode = core::StreamModeName(d.mode);
  sd.RetentionPeriodHours = d.retention_hours;
  sd.StreamCreationTimestamp = ToSeconds(d.created_ms);
  sd.EnhancedMonitoring = EnhancedMonitoringToWire(d.shard_level_metrics);
  sd.EncryptionType = d.encrypted ? "KMS" : "NONE";
  if (d.encrypted) sd.KeyId = d.key_id;
  sd.OpenShardCount = d.open_shard_count;
  sd.ConsumerCount = d.consumer_count;
  sd.MaxRecordSizeInKiB = d.max_record_size_kib;
  if (d.distribution) sd.RecordDistributionStrategy = core::RecordDistributionName(*d.distribution);
  if (d.warm) {
    sd.WarmThroughput = wire::WarmThroughputObject{};
    sd.WarmThroughput->TargetMiBps = d.warm->target_mibps;
    sd.WarmThroughput->CurrentMiBps = d.warm->current_mibps;
  }
  if (context.channels != nullptr) {
    // Channels delivering the stream (only on-demand streams have any); absent when none.
    if (const int64_t channels = context.channels->CountForStream(*address); channels > 0) sd.ChannelCount = channels;
  }
  wire::DescribeStreamSummaryOutput output;
  output.StreamDescriptionSummary = std::move(sd);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
