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
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return StreamNotFound(address);
  store::Mutation m;
  StreamSummaryDescription d;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return StreamNotFound(address);
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    const StreamState& s = stream->state;
    d.name = s.address.name;
    d.arn = s.address.Arn();
    d.status = s.status;
    d.retention_hours = s.retention_hours;
    d.created_ms = s.created_ms;
    d.open_shard_count = static_cast<int64_t>(stream->open_by_start.size());
    d.consumer_count = static_cast<int64_t>(stream->consumers.size());
    d.shard_level_metrics = ShardLevelMetricNames(s.shard_level_metrics);
    d.encrypted = s.encrypted;
    d.key_id = s.key_id;
    d.mode = s.mode;
    d.max_record_size_kib = s.max_record_size_kib;
    d.warm = s.warm;
  }
  Commit(std::move(m), [](Status) {});
  return d;
}

void StreamService::IncreaseRetention(const StreamAddress& address, int64_t hours, Done done) {
  ChangeRetention(address, hours, true, std::move(done));
}

void StreamService::DecreaseRetention(const StreamAddress& address, int64_t hours, Done done) {
  ChangeRetention(address, hours, false, std::move(done));
}

void StreamService::ChangeRetention(const StreamAddress& address, int64_t hours, bool increase, Done done) {
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  std::string requested = "Requested retention period (" + std::to_string(hours) + " hours)";
  if (hours < kMinRetentionHours) {
    return done(Status::InvalidArgument("Minimum allowed retention period is 24 hours. " + requested +
                                        " is too short."));
  }
  if (hours > kMaxRetentionHours) {
    return done(Status::InvalidArgument("Maximum allowed retention period is 8760 hours. " + requested +
                                        " is too long."));
  }
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    std::string existing = "existing retention period (" + std::to_string(s.retention_hours) + " hours).";
    if (increase && hours < s.retention_hours) {
      return done(Status::InvalidArgument(requested + " for stream " + address.name +
                                          " can not be shorter than " + existing +
                                          " Use DecreaseRetentionPeriod API."));
    }
    if (!increase && hours > s.retention_hours) {
      return done(Status::InvalidArgument(requested + " for stream " + address.name + " can not be longer than " +
                                          existing + " Use IncreaseRetentionPeriod API."));
    }
    s.retention_hours = static_cast<int32_t>(hours);
    m.meta_puts.clear();
    m.meta_puts.emplace_back(StreamMetaKey(address), EncodeStreamState(s));
  }
  Commit(std::move(m), std::move(done));
}

AccountLimits StreamService::DescribeLimits(const std::string& account_id, const std::string& region) {
  AccountLimits limits;
  limits.shard_limit = options_.shard_limit;
  limits.open_shard_count = CountOpenShards(account_id, region);
  limits.on_demand_stream_count = CountOnDemandStreams(account_id, region);
  limits.on_demand_stream_count_limit = options_.on_demand_stream_limit;
  return limits;
}

void StreamService::SetEnhancedMonitoring(const StreamAddress& address, const std::vector<std::string>& metrics,
                                          bool enable, std::function<void(StatusOr<MetricsUpdate>)> done) {
  int64_t now = clock_.NowMs();
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
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  store::Mutation m;
  MetricsUpdate update;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    update.name = address.name;
    update.arn = address.Arn();
    update.current = ShardLevelMetricNames(s.shard_level_metrics);
    s.shard_level_metrics = enable ? (s.shard_level_metrics | bits) : (s.shard_level_metrics & ~bits);
    update.desired = ShardLevelMetricNames(s.shard_level_metrics);
    m.meta_puts.clear();
    m.meta_puts.emplace_back(StreamMetaKey(address), EncodeStreamState(s));
  }
  Commit(std::move(m), [done = std::move(done), update = std::move(update)](Status status) {
    if (!status.ok()) return done(status);
    done(update);
  });
}

void StreamService::SetStreamEncryption(const StreamAddress& address, bool start, const std::string& encryption_type,
                                        const std::string& key_id, Done done) {
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  if (encryption_type != "KMS") {
    // Wording not verified against AWS.
    return done(Status::InvalidArgument("Invalid EncryptionType " + encryption_type + ". The only valid value is KMS."));
  }
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    s.encrypted = start;
    s.key_id = start ? key_id : std::string();
    // Like a reshard, the change keeps the stream UPDATING for --update-stream-ms.
    if (options_.update_stream_ms > 0) {
      s.status = StreamStatus::kUpdating;
      s.transition_due_ms = now + options_.update_stream_ms;
    }
    m.meta_puts.clear();
    m.meta_puts.emplace_back(StreamMetaKey(address), EncodeStreamState(s));
  }
  Commit(std::move(m), std::move(done));
}

}  // namespace riffle::core
