// StreamService settings and summaries: DescribeStreamSummary,
// Increase/DecreaseStreamRetentionPeriod, DescribeLimits and
// Enable/DisableEnhancedMonitoring and Start/StopStreamEncryption.
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

constexpr int64_t kMinRetentionHours = 24;
constexpr int64_t kMaxRetentionHours = 8760;

struct MetricName {
  ShardLevelMetric bit;
  const char* name;
};
constexpr MetricName kMetricNames[] = {
    {ShardLevelMetric::kIncomingBytes, "IncomingBytes"},
    {ShardLevelMetric::kIncomingRecords, "IncomingRecords"},
    {ShardLevelMetric::kOutgoingBytes, "OutgoingBytes"},
    {ShardLevelMetric::kOutgoingRecords, "OutgoingRecords"},
    {ShardLevelMetric::kWriteProvisionedThroughputExceeded, "WriteProvisionedThroughputExceeded"},
    {ShardLevelMetric::kReadProvisionedThroughputExceeded, "ReadProvisionedThroughputExceeded"},
    {ShardLevelMetric::kIteratorAgeMilliseconds, "IteratorAgeMilliseconds"},
};

}  // namespace

std::vector<std::string> ShardLevelMetricNames(uint32_t metrics) {
  std::vector<std::string> names;
  for (const MetricName& m : kMetricNames) {
    if (metrics & static_cast<uint32_t>(m.bit)) names.emplace_back(m.name);
  }
  return names;
}

StatusOr<StreamSummaryDescription> StreamService::DescribeStreamSummary(const StreamAddress& address) {
  RIFFLE_RETURN_IF_ERROR(Barrier());
  RIFFLE_RETURN_IF_ERROR(Settle(address));  // a due reshard shows its children
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  const StreamState s = AsOf(stream->state, now);
  StreamSummaryDescription d;
  d.name = s.address.name;
  d.arn = s.address.Arn();
  d.status = s.status;
  d.retention_hours = s.retention_hours;
  d.created_ms = s.created_ms;
  d.open_shard_count = static_cast<int64_t>(stream->open_by_start.size());
  d.consumer_count = static_cast<int64_t>(LiveConsumers(*stream, now).size());
  d.shard_level_metrics = ShardLevelMetricNames(s.shard_level_metrics);
  d.encrypted = s.encrypted;
  d.key_id = s.key_id;
  d.mode = s.mode;
  d.max_record_size_kib = s.max_record_size_kib;
  d.warm = s.warm;
  if (s.mode == StreamMode::kOnDemand) d.distribution = s.distribution;
  return d;
}

std::optional<std::vector<std::string>> StreamService::EnabledShardMetrics(const StreamAddress& address) const {
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(clock_.NowMs())) return std::nullopt;
  return ShardLevelMetricNames(stream->state.shard_level_metrics);
}

void StreamService::IncreaseRetention(const StreamAddress& address, int64_t hours, Done done) {
  ChangeRetention(address, hours, true, std::move(done));
}

void StreamService::DecreaseRetention(const StreamAddress& address, int64_t hours, Done done) {
  ChangeRetention(address, hours, false, std::move(done));
}

void StreamService::ChangeRetention(const StreamAddress& address, int64_t hours, bool increase, Done done) {
  std::string requested = "Requested retention period (" + std::to_string(hours) + " hours)";
  if (hours < kMinRetentionHours) {
    return done(Status::InvalidArgument("Minimum allowed retention period is 24 hours. " + requested +
                                        " is too short."));
  }
  if (hours > kMaxRetentionHours) {
    return done(Status::InvalidArgument("Maximum allowed retention period is 8760 hours. " + requested +
                                        " is too long."));
  }
  StreamPtr written;
  Status status = MutateStream(
      address,
      [&](StreamState& s, int64_t) -> Status {
        if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
        std::string existing = "existing retention period (" + std::to_string(s.retention_hours) + " hours).";
        if (increase && hours < s.retention_hours) {
          return Status::InvalidArgument(requested + " for stream " + address.name + " can not be shorter than " +
                                         existing + " Use DecreaseRetentionPeriod API.");
        }
        if (!increase && hours > s.retention_hours) {
          return Status::InvalidArgument(requested + " for stream " + address.name + " can not be longer than " +
                                         existing + " Use IncreaseRetentionPeriod API.");
        }
        s.retention_hours = static_cast<int32_t>(hours);
        return Status::Ok();
      },
      &written);
  if (!status.ok() || written == nullptr) return done(status);
  // The logs age out with the stream (a store that drops old records itself).
  for (const ShardState& shard : written->state.shards) {
    if (shard.closed) continue;
    if (Status updated = store_.CreateLog(written->Key(shard.index), LogOptionsFor(written->state, shard.start_counter));
        !updated.ok()) {
      return done(updated);
    }
  }
  done(Status::Ok());
}

AccountLimits StreamService::DescribeLimits(const std::string& account_id, const std::string& region) {
  (void)Barrier();  // on failure: what this node knows
  AccountLimits limits;
  limits.shard_limit = options_.shard_limit;
  limits.open_shard_count = CountOpenShards(account_id, region);
  limits.on_demand_stream_count = CountOnDemandStreams(account_id, region);
  limits.on_demand_stream_count_limit = options_.on_demand_stream_limit;
  return limits;
}

void StreamService::SetEnhancedMonitoring(const StreamAddress& address, const std::vector<std::string>& metrics,
                                          bool enable, std::function<void(StatusOr<MetricsUpdate>)> done) {
  uint32_t bits = 0;
  for (const std::string& name : metrics) {
    if (name == "ALL") {
      bits |= kAllShardLevelMetrics;
      continue;
    }
    bool known = false;
    for (const MetricName& m : kMetricNames) {
      if (name == m.name) {
        bits |= static_cast<uint32_t>(m.bit);
        known = true;
      }
    }
    if (!known) return done(Status::InvalidArgument("Invalid metric name " + name + "."));
  }
  MetricsUpdate update;
  Status status = MutateStream(address, [&](StreamState& s, int64_t) -> Status {
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    update.name = address.name;
    update.arn = address.Arn();
    update.current = ShardLevelMetricNames(s.shard_level_metrics);
    s.shard_level_metrics = enable ? (s.shard_level_metrics | bits) : (s.shard_level_metrics & ~bits);
    update.desired = ShardLevelMetricNames(s.shard_level_metrics);
    return Status::Ok();
  });
  if (!status.ok()) return done(status);
  done(update);
}

void StreamService::SetStreamEncryption(const StreamAddress& address, bool start, const std::string& encryption_type,
                                        const std::string& key_id, Done done) {
  done(MutateStream(address, [&](StreamState& s, int64_t now) -> Status {
    if (encryption_type != "KMS") {
      // Wording not verified against AWS.
      return Status::InvalidArgument("Invalid EncryptionType " + encryption_type + ". The only valid value is KMS.");
    }
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    s.encrypted = start;
    s.key_id = start ? key_id : std::string();
    // Like a reshard, the change keeps the stream UPDATING for --update-stream-ms.
    if (options_.update_stream_ms > 0) {
      s.status = StreamStatus::kUpdating;
      s.transition_due_ms = now + options_.update_stream_ms;
    }
    return Status::Ok();
  }));
}

}  // namespace riffle::core
