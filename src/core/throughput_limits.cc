#include "core/throughput_limits.h"

#include <algorithm>
#include <iterator>

namespace riffle::core {

namespace {

// The rates the Kinesis API reference documents per operation, sorted by name.
// Per-day quotas (UpdateShardCount, Start/StopStreamEncryption) and
// GetShardIterator's per-shard rate are not modelled.
constexpr ControlLimit kControlLimits[] = {
    {"AddTagsToStream", 5, LimitScope::kAccount},
    {"CreateStream", 5, LimitScope::kAccount},
    {"DecreaseStreamRetentionPeriod", 5, LimitScope::kAccount},
    {"DeleteStream", 5, LimitScope::kAccount},
    {"DeregisterStreamConsumer", 5, LimitScope::kStream},
    {"DescribeLimits", 1, LimitScope::kAccount},
    {"DescribeStream", 10, LimitScope::kAccount},
    {"DescribeStreamConsumer", 20, LimitScope::kStream},
    {"DescribeStreamSummary", 20, LimitScope::kAccount},
    {"DisableEnhancedMonitoring", 5, LimitScope::kStream},
    {"EnableEnhancedMonitoring", 5, LimitScope::kStream},
    {"IncreaseStreamRetentionPeriod", 5, LimitScope::kAccount},
    {"ListShards", 1000, LimitScope::kStream},
    {"ListStreamConsumers", 5, LimitScope::kStream},
    {"ListStreams", 5, LimitScope::kAccount},
    {"ListTagsForStream", 5, LimitScope::kAccount},
    {"MergeShards", 5, LimitScope::kAccount},
    {"RegisterStreamConsumer", 5, LimitScope::kStream},
    {"RemoveTagsFromStream", 5, LimitScope::kAccount},
    {"SplitShard", 5, LimitScope::kAccount},
};

constexpr size_t kPruneAbove = 4096;

uint64_t Key(ShardRef shard) { return (shard.incarnation << 32) ^ shard.shard_index; }

}  // namespace

const ControlLimit* FindControlLimit(std::string_view operation) {
  auto it = std::lower_bound(std::begin(kControlLimits), std::end(kControlLimits), operation,
                             [](const ControlLimit& l, std::string_view op) { return l.operation < op; });
  return it != std::end(kControlLimits) && it->operation == operation ? it : nullptr;
}

bool ThroughputLimits::ShardBuckets::Idle(int64_t now_ms) {
  return write_bytes.Full(now_ms) && write_records.Full(now_ms) && read_bytes.Full(now_ms) &&
         read_calls.Full(now_ms);
}

ThroughputLimits::ThroughputLimits(const Clock& clock, ShardRates rates) : clock_(clock), rates_(rates) {}

ThroughputLimits::ShardBuckets& ThroughputLimits::Shard(ShardRef shard, int64_t now_ms) {
  auto it = shards_.find(Key(shard));
  if (it != shards_.end()) return it->second;
  if (shards_.size() >= kPruneAbove) PruneIdle(now_ms);
  ShardBuckets buckets{
      TokenBucket(rates_.write_bytes_per_second, rates_.write_bytes_per_second, now_ms),
      TokenBucket(rates_.write_records_per_second, rates_.write_records_per_second, now_ms),
      TokenBucket(0, rates_.read_bytes_per_second, now_ms),
      TokenBucket(rates_.read_calls_per_second, rates_.read_calls_per_second, now_ms),
  };
  return shards_.emplace(Key(shard), buckets).first->second;
}

void ThroughputLimits::PruneIdle(int64_t now_ms) {
  for (auto it = shards_.begin(); it != shards_.end();) {
    it = it->second.Idle(now_ms) ? shards_.erase(it) : std::next(it);
  }
  for (auto it = calls_.begin(); it != calls_.end();) {
    it = it->second.Full(now_ms) ? calls_.erase(it) : std::next(it);
  }
}

bool ThroughputLimits::AdmitWrite(ShardRef shard, int64_t bytes) {
  int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  ShardBuckets& b = Shard(shard, now);
  // A record larger than a second's worth (a raised maximum record size) is
  // admitted into a full bucket and leaves it in debt.
  double needed = std::min(static_cast<double>(bytes), rates_.write_bytes_per_second);
  if (!b.write_records.Has(1, now) || !b.write_bytes.Has(needed, now)) return false;
  b.write_records.Charge(1, now);
  b.write_bytes.Charge(static_cast<double>(bytes), now);
  if (ShardUsage* u = Reported(shard)) {
    u->write_records += 1;
    u->write_bytes += static_cast<uint64_t>(bytes);
  }
  return true;
}

bool ThroughputLimits::AdmitRead(ShardRef shard) {
  int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  ShardBuckets& b = Shard(shard, now);
  if (!b.read_bytes.Has(0, now) || !b.read_calls.TryTake(1, now)) return false;
  if (ShardUsage* u = Reported(shard)) u->read_calls += 1;
  return true;
}

void ThroughputLimits::ChargeRead(ShardRef shard, int64_t bytes) {
  int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  Shard(shard, now).read_bytes.Charge(static_cast<double>(bytes), now);
  if (ShardUsage* u = Reported(shard)) u->read_bytes += static_cast<uint64_t>(bytes);
}

bool ThroughputLimits::AdmitCall(const ControlLimit& limit, const std::string& scope_key) {
  int64_t now = clock_.NowMs();
  std::string key = std::string(limit.operation) + "\n" + scope_key;
  std::lock_guard lock(mu_);
  if (!Calls(limit, key, now).TryTake(1, now)) return false;
  if (keep_reports_) {
    CallUsage& u = report_calls_[key];
    if (u.calls++ == 0) {
      u.operation = std::string(limit.operation);
      u.scope_key = scope_key;
    }
  }
  return true;
}

TokenBucket& ThroughputLimits::Calls(const ControlLimit& limit, std::string key, int64_t now_ms) {
  auto it = calls_.find(key);
  if (it == calls_.end()) {
    if (calls_.size() >= kPruneAbove) PruneIdle(now_ms);
    it = calls_.emplace(std::move(key), TokenBucket(limit.per_second, limit.per_second, now_ms)).first;
  }
  return it->second;
}

ShardUsage* ThroughputLimits::Reported(ShardRef shard) {
  if (!keep_reports_) return nullptr;
  ShardUsage& u = report_shards_[Key(shard)];
  u.incarnation = shard.incarnation;
  u.shard_index = shard.shard_index;
  return &u;
}

void ThroughputLimits::KeepReports() {
  std::lock_guard lock(mu_);
  keep_reports_ = true;
}

std::string ThroughputLimits::TakeReport() {
  UsageReport report;
  {
    std::lock_guard lock(mu_);
    if (report_shards_.empty() && report_calls_.empty()) return {};
    report.shards.reserve(report_shards_.size());
    for (auto& [key, usage] : report_shards_) report.shards.push_back(usage);
    report.calls.reserve(report_calls_.size());
    for (auto& [key, usage] : report_calls_) report.calls.push_back(std::move(usage));
    report_shards_.clear();
    report_calls_.clear();
  }
  return EncodeUsageReport(report);
}

void ThroughputLimits::Apply(std::string_view encoded) {
  std::optional<UsageReport> report = DecodeUsageReport(encoded);
  if (!report) return;
  int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  for (const ShardUsage& u : report->shards) {
    ShardBuckets& b = Shard({u.incarnation, u.shard_index}, now);
    b.write_records.Charge(static_cast<double>(u.write_records), now);
    b.write_bytes.Charge(static_cast<double>(u.write_bytes), now);
    b.read_calls.Charge(static_cast<double>(u.read_calls), now);
    b.read_bytes.Charge(static_cast<double>(u.read_bytes), now);
  }
  for (const CallUsage& u : report->calls) {
    const ControlLimit* limit = FindControlLimit(u.operation);
    if (limit == nullptr) continue;
    Calls(*limit, u.operation + "\n" + u.scope_key, now).Charge(static_cast<double>(u.calls), now);
  }
}

}  // namespace riffle::core
