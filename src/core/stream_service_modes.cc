// StreamService capacity modes and per-stream limits: CreateStream's mode
// checks, UpdateStreamMode, UpdateMaxRecordSize and UpdateStreamWarmThroughput.
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

// Kinesis allows two capacity mode switches per stream in a rolling 24 hours.
constexpr int64_t kModeSwitchWindowMs = 24 * 3600 * 1000;
constexpr size_t kMaxModeSwitchesPerWindow = 2;
// Warm throughput of an on-demand stream is at most 10 GiBps by default.
constexpr int64_t kMaxWarmThroughputMiBps = 10240;

// Keeps the stream UPDATING for the update delay, like a reshard.
void StartUpdate(StreamState& s, int64_t now, int64_t update_ms) {
  if (update_ms > 0) {
    s.status = StreamStatus::kUpdating;
    s.transition_due_ms = now + update_ms;
  }
}

}  // namespace

Status CheckStreamCreation(const StreamCreation& creation) {
  bool on_demand = creation.mode == StreamMode::kOnDemand;
  // Wording of these three not verified against AWS.
  if (on_demand && creation.shard_count) {
    return Status::Validation("ShardCount is not expected when StreamMode=ON_DEMAND");
  }
  if (!on_demand && !creation.shard_count) {
    return Status::Validation("ShardCount is required when StreamMode=PROVISIONED");
  }
  if (creation.warm_throughput_mibps && !on_demand) {
    return Status::InvalidArgument("WarmThroughputMiBps is only supported for streams in ON_DEMAND capacity mode.");
  }
  if (creation.max_record_size_kib &&
      (*creation.max_record_size_kib < kDefaultMaxRecordSizeKiB || *creation.max_record_size_kib > kMaxMaxRecordSizeKiB)) {
    return Status::Validation(MaxRecordSizeRangeMessage(*creation.max_record_size_kib));
  }
  return Status::Ok();
}

int64_t StreamService::CountOnDemandStreams(const std::string& account_id, const std::string& region) {
  int64_t now = clock_.NowMs();
  int64_t count = 0;
  std::shared_lock registry(registry_mu_);
  for (const auto& [key, stream] : streams_) {
    std::lock_guard lock(stream->mu);
    const StreamAddress& a = stream->state.address;
    if (a.account_id != account_id || a.region != region || stream->IsGone(now)) continue;
    if (stream->state.mode == StreamMode::kOnDemand) ++count;
  }
  return count;
}

const char* StreamModeName(StreamMode mode) {
  switch (mode) {
    case StreamMode::kProvisioned:
      return "PROVISIONED";
    case StreamMode::kOnDemand:
      return "ON_DEMAND";
  }
  return "PROVISIONED";
}

void StreamService::UpdateStreamMode(const StreamAddress& address, StreamMode mode,
                                     std::optional<int64_t> warm_throughput_mibps, Done done) {
  if (warm_throughput_mibps && mode != StreamMode::kOnDemand) {
    // Wording not verified against AWS.
    return done(Status::InvalidArgument("WarmThroughputMiBps is only supported for streams in ON_DEMAND capacity mode."));
  }
  std::lock_guard control(control_mu_);  // the on-demand stream count stays true until this commits
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  int64_t on_demand_count = CountOnDemandStreams(address.account_id, address.region);
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    if (s.mode == mode) {
      // Wording not verified against AWS.
      return done(Status::InvalidArgument("Stream " + address.name + " under account " + address.account_id +
                                          " is already in " + StreamModeName(mode) + " capacity mode."));
    }
    std::erase_if(s.mode_switches_ms, [now](int64_t ms) { return ms <= now - kModeSwitchWindowMs; });
    if (s.mode_switches_ms.size() >= kMaxModeSwitchesPerWindow) {
      // Wording not verified against AWS.
      return done(Status::LimitExceeded("Stream " + address.name + " under account " + address.account_id +
                                        " has already switched capacity mode twice in the last 24 hours."));
    }
    if (mode == StreamMode::kOnDemand && on_demand_count >= options_.on_demand_stream_limit) {
      return done(
          Status::LimitExceeded(OnDemandLimitMessage(address, on_demand_count, options_.on_demand_stream_limit)));
    }
    if (warm_throughput_mibps) {
      if (Status checked = CheckWarmThroughput(address, *warm_throughput_mibps, now); !checked.ok()) return done(checked);
      s.warm = WarmThroughput{static_cast<uint32_t>(*warm_throughput_mibps), 0};
      if (options_.update_stream_ms <= 0) s.warm->current_mibps = s.warm->target_mibps;
    }
    s.mode = mode;
    s.mode_switches_ms.push_back(now);
    if (mode == StreamMode::kProvisioned) s.warm.reset();  // warm throughput is for on-demand streams only
    StartUpdate(s, now, options_.update_stream_ms);
    m.meta_puts.clear();
    m.meta_puts.emplace_back(StreamMetaKey(address), EncodeStreamState(s));
  }
  Commit(std::move(m), std::move(done));
}

void StreamService::UpdateMaxRecordSize(const StreamAddress& address, int64_t kib, Done done) {
  if (kib < kDefaultMaxRecordSizeKiB || kib > kMaxMaxRecordSizeKiB) {
    return done(Status::Validation(MaxRecordSizeRangeMessage(kib)));
  }
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    s.max_record_size_kib = static_cast<uint32_t>(kib);
    StartUpdate(s, now, options_.update_stream_ms);
    m.meta_puts.clear();
    m.meta_puts.emplace_back(StreamMetaKey(address), EncodeStreamState(s));
  }
  Commit(std::move(m), std::move(done));
}

Status StreamService::CheckWarmThroughput(const StreamAddress& address, int64_t mibps, int64_t now) {
  if (!CommitmentEnabled(address.account_id, address.region, now)) {
    // Wording not verified against AWS.
    return Status::InvalidArgument("Warm throughput requires MinimumThroughputBillingCommitment to be enabled for "
                                   "the account " + address.account_id + " in " + address.region + ".");
  }
  if (mibps > kMaxWarmThroughputMiBps) {
    // Wording not verified against AWS.
    return Status::LimitExceeded("WarmThroughputMiBps " + std::to_string(mibps) + " for stream " + address.name +
                                 " under account " + address.account_id + " exceeds the limit of " +
                                 std::to_string(kMaxWarmThroughputMiBps) + " MiBps.");
  }
  return Status::Ok();
}

void StreamService::UpdateStreamWarmThroughput(const StreamAddress& address, int64_t mibps,
                                               std::function<void(StatusOr<WarmThroughputUpdate>)> done) {
  std::lock_guard control(control_mu_);  // reads the account settings
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  store::Mutation m;
  WarmThroughputUpdate update;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    if (s.mode != StreamMode::kOnDemand) {
      // Wording not verified against AWS.
      return done(Status::InvalidArgument("Stream " + address.name + " under account " + address.account_id +
                                          " is in PROVISIONED capacity mode. Warm throughput is only supported "
                                          "for streams in ON_DEMAND capacity mode."));
    }
    if (Status checked = CheckWarmThroughput(address, mibps, now); !checked.ok()) return done(checked);
    uint32_t current = s.warm ? s.warm->current_mibps : 0;
    s.warm = WarmThroughput{static_cast<uint32_t>(mibps), current};
    if (options_.update_stream_ms > 0) {
      StartUpdate(s, now, options_.update_stream_ms);
    } else {
      s.warm->current_mibps = s.warm->target_mibps;
    }
    update.name = address.name;
    update.arn = address.Arn();
    update.warm = *s.warm;
    m.meta_puts.clear();
    m.meta_puts.emplace_back(StreamMetaKey(address), EncodeStreamState(s));
  }
  Commit(std::move(m), [done = std::move(done), update = std::move(update)](Status status) {
    if (!status.ok()) return done(status);
    done(update);
  });
}

}  // namespace riffle::core
