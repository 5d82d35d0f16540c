// StreamService capacity modes and per-stream limits: CreateStream's mode
// checks, UpdateStreamMode, UpdateMaxRecordSize, UpdateStreamWarmThroughput
// and UpdateStreamRecordDistributionStrategy.
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

// Kinesis allows two capacity mode switches per stream in a rolling 24 hours.
constexpr int64_t kModeSwitchWindowMs = 24 * 3600 * 1000;
constexpr size_t kMaxModeSwitchesPerWindow = 2;
// Warm throughput of an on-demand stream is at most 10 GiBps by default.
constexpr int64_t kMaxWarmThroughputMiBps = 10240;
// Wording not verified against AWS.
constexpr char kAutoNeedsOnDemand[] =
    "RecordDistributionStrategy AUTO is only supported for streams in ON_DEMAND capacity mode.";

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
  if (creation.distribution == RecordDistribution::kAuto && !on_demand) {
    return Status::InvalidArgument(kAutoNeedsOnDemand);
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
  const int64_t now = clock_.NowMs();
  int64_t count = 0;
  for (const StreamPtr& stream : registry_.Streams()) {
    const StreamState& s = stream->state;
    if (s.address.account_id != account_id || s.address.region != region || stream->IsGone(now)) continue;
    if (s.mode == StreamMode::kOnDemand) ++count;
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

const char* RecordDistributionName(RecordDistribution distribution) {
  return distribution == RecordDistribution::kAuto ? "AUTO" : "USER_PARTITION_KEY";
}

RecordDistribution RecordDistributionOf(std::string_view name) {
  return name == "AUTO" ? RecordDistribution::kAuto : RecordDistribution::kUserPartitionKey;
}

void StreamService::UpdateRecordDistribution(const StreamAddress& address, RecordDistribution distribution,
                                             Done done) {
  done(MutateStream(address, [&](StreamState& s, int64_t) -> Status {
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    if (distribution == RecordDistribution::kAuto && s.mode != StreamMode::kOnDemand) {
      return Status::InvalidArgument(kAutoNeedsOnDemand);
    }
    s.distribution = distribution;
    return Status::Ok();
  }));
}

void StreamService::UpdateStreamMode(const StreamAddress& address, StreamMode mode,
                                     std::optional<int64_t> warm_throughput_mibps, Done done) {
  if (warm_throughput_mibps && mode != StreamMode::kOnDemand) {
    // Wording not verified against AWS.
    return done(Status::InvalidArgument("WarmThroughputMiBps is only supported for streams in ON_DEMAND capacity mode."));
  }
  done(MutateStream(address, [&](StreamState& s, int64_t now) -> Status {
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    if (s.mode == mode) {
      // Wording not verified against AWS.
      return Status::InvalidArgument("Stream " + address.name + " under account " + address.account_id +
                                     " is already in " + StreamModeName(mode) + " capacity mode.");
    }
    std::erase_if(s.mode_switches_ms, [now](int64_t ms) { return ms <= now - kModeSwitchWindowMs; });
    if (s.mode_switches_ms.size() >= kMaxModeSwitchesPerWindow) {
      // Wording not verified against AWS.
      return Status::LimitExceeded("Stream " + address.name + " under account " + address.account_id +
                                   " has already switched capacity mode twice in the last 24 hours.");
    }
    const int64_t on_demand_count = CountOnDemandStreams(address.account_id, address.region);
    if (mode == StreamMode::kOnDemand && on_demand_count >= options_.on_demand_stream_limit) {
      return Status::LimitExceeded(OnDemandLimitMessage(address, on_demand_count, options_.on_demand_stream_limit));
    }
    if (warm_throughput_mibps) {
      RIFFLE_RETURN_IF_ERROR(CheckWarmThroughput(address, *warm_throughput_mibps, now));
      s.warm = WarmThroughput{static_cast<uint32_t>(*warm_throughput_mibps), 0};
      if (options_.update_stream_ms <= 0) s.warm->current_mibps = s.warm->target_mibps;
    }
    s.mode = mode;
    s.mode_switches_ms.push_back(now);
    if (mode == StreamMode::kProvisioned) {
      // Warm throughput and AUTO distribution are for on-demand streams only.
      s.warm.reset();
      s.distribution = RecordDistribution::kUserPartitionKey;
    }
    StartUpdate(s, now, options_.update_stream_ms);
    return Status::Ok();
  }));
}

void StreamService::UpdateMaxRecordSize(const StreamAddress& address, int64_t kib, Done done) {
  if (kib < kDefaultMaxRecordSizeKiB || kib > kMaxMaxRecordSizeKiB) {
    return done(Status::Validation(MaxRecordSizeRangeMessage(kib)));
  }
  done(MutateStream(address, [&](StreamState& s, int64_t now) -> Status {
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    if (static_cast<uint64_t>(kib) * 1024 > store_.MaxRecordBytes()) {
      // The cluster's NATS servers take messages up to their max_payload.
      return Status::LimitExceeded("MaxRecordSizeInKiB " + std::to_string(kib) + " exceeds the largest record this "
                                   "server's store can take (" + std::to_string(store_.MaxRecordBytes() / 1024) +
                                   " KiB).");
    }
    s.max_record_size_kib = static_cast<uint32_t>(kib);
    StartUpdate(s, now, options_.update_stream_ms);
    return Status::Ok();
  }));
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
  WarmThroughputUpdate update;
  Status status = MutateStream(address, [&](StreamState& s, int64_t now) -> Status {
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    if (s.mode != StreamMode::kOnDemand) {
      // Wording not verified against AWS.
      return Status::InvalidArgument("Stream " + address.name + " under account " + address.account_id +
                                     " is in PROVISIONED capacity mode. Warm throughput is only supported "
                                     "for streams in ON_DEMAND capacity mode.");
    }
    RIFFLE_RETURN_IF_ERROR(CheckWarmThroughput(address, mibps, now));
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
    return Status::Ok();
  });
  if (!status.ok()) return done(status);
  done(update);
}

}  // namespace riffle::core
