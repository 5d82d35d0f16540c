#include "core/stream_service.h"

#include <openssl/rand.h>

#include <cstdio>
#include <future>

#include "core/stream_service_internal.h"

namespace riffle::core {

const char* StreamStatusName(StreamStatus status) {
  switch (status) {
    case StreamStatus::kCreating:
      return "CREATING";
    case StreamStatus::kDeleting:
      return "DELETING";
    case StreamStatus::kActive:
      return "ACTIVE";
    case StreamStatus::kUpdating:
      return "UPDATING";
  }
  return "ACTIVE";
}

std::string StreamAddress::Arn() const {
  return "arn:aws:kinesis:" + region + ":" + account_id + ":stream/" + name;
}

std::string ShardIdString(uint32_t index) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "shardId-%012u", index);
  return buffer;
}

std::string EncodedShardIdString(uint32_t index) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "shardId-%012d", static_cast<int32_t>(index));
  return buffer;
}

std::optional<uint32_t> ParseShardId(std::string_view shard_id) {
  // Kinesis resolves the digits between the first and the second '-' (or
  // the whole id when there is no '-' or nothing follows it): "shardId-5",
  // "a-00002147483647", "-00002147483647" and "5" all name shard 5 / 2147483647,
  // while "shardId--1" names no shard (kinesalite test/getShardIterator.js).
  size_t dash = shard_id.find('-');
  std::string_view digits = shard_id;
  if (dash != std::string_view::npos) {
    std::string_view segment = shard_id.substr(dash + 1);
    segment = segment.substr(0, segment.find('-'));
    if (!segment.empty()) digits = segment;
  }
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > 2147483647) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}


Status StreamService::StreamNotFound(const StreamAddress& address) const {
  return Status::NotFound("Stream " + address.name + " under account " + address.account_id + " not found.");
}

int64_t StreamService::CountOpenShards(const std::string& account_id, const std::string& region) {
  int64_t now = clock_.NowMs();
  int64_t count = 0;
  for (const StreamPtr& stream : registry_.Streams()) {
    const StreamState& s = stream->state;
    if (s.address.account_id != account_id || s.address.region != region || stream->IsGone(now)) continue;
    if (s.status == StreamStatus::kDeleting) continue;
    const int64_t open = static_cast<int64_t>(stream->open_by_start.size());
    count += open;
    if (!s.pending) continue;
    // A pending split adds one open shard when it completes; a pending
    // uniform scaling leaves `target` open shards.
    if (s.pending->kind == ReshardKind::kSplit) count += 1;
    if (s.pending->kind == ReshardKind::kUniformScaling) count += static_cast<int64_t>(s.pending->shard) - open;
  }
  return count;
}

void StreamService::CreateStream(const StreamAddress& address, int64_t shard_count, Done done,
                                 std::map<std::string, std::string> tags) {
  StreamCreation creation;
  creation.shard_count = shard_count;
  creation.tags = std::move(tags);
  CreateStream(address, std::move(creation), std::move(done));
}

void StreamService::CreateStream(const StreamAddress& address, StreamCreation creation, Done done) {
  std::map<std::string, std::string>& tags = creation.tags;
  if (Status checked = CheckTagText(tags); !checked.ok()) return done(checked);
  if (tags.size() > kMaxTagsPerResource) return done(Status::InvalidArgument(TooManyTagsMessage(address)));
  if (Status checked = CheckStreamCreation(creation); !checked.ok()) return done(checked);
  const bool on_demand = creation.mode == StreamMode::kOnDemand;
  const int64_t shard_count = on_demand ? kOnDemandInitialShards : *creation.shard_count;
  auto shards_lock = shard_limit_locks_.Acquire(address.account_id, address.region);
  if (!shards_lock.ok()) return done(shards_lock.status());
  Status created = CreateStreamHeld(address, creation, shard_count);
  shards_lock->Release();  // before `done`, which may create the next stream
  done(created);
}

Status StreamService::CreateStreamHeld(const StreamAddress& address, const StreamCreation& creation,
                                       int64_t shard_count) {
  const bool on_demand = creation.mode == StreamMode::kOnDemand;
  const std::map<std::string, std::string>& tags = creation.tags;
  const std::string key = StreamMetaKey(address);
  auto lock = key_locks_.Lock(key);
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (Status synced = Barrier(); !synced.ok()) return synced;
    const int64_t now = clock_.NowMs();
    StreamPtr existing = registry_.Find(key);
    if (existing != nullptr && !existing->IsGone(now)) {
      return Status::InUse("Stream " + address.name + " under account " + address.account_id + " already exists.");
    }
    if (creation.warm_throughput_mibps) {
      if (Status checked = CheckWarmThroughput(address, *creation.warm_throughput_mibps, now); !checked.ok()) {
        return checked;
      }
    }
    if (on_demand) {
      int64_t on_demand_count = CountOnDemandStreams(address.account_id, address.region);
      if (on_demand_count >= options_.on_demand_stream_limit) {
        return Status::LimitExceeded(
            OnDemandLimitMessage(address, on_demand_count, options_.on_demand_stream_limit));
      }
    }
    int64_t open = CountOpenShards(address.account_id, address.region);
    if (open + shard_count > options_.shard_limit) {
      return Status::LimitExceeded(ShardLimitMessage(address, open, options_.shard_limit, shard_count));
    }
    auto incarnation = NewIncarnation();
    if (!incarnation.ok()) return incarnation.status();
    StreamState s;
    s.address = address;
    s.incarnation = *incarnation;
    s.created_ms = now;
    s.status = options_.create_stream_ms > 0 ? StreamStatus::kCreating : StreamStatus::kActive;
    s.transition_due_ms = now + options_.create_stream_ms;
    s.tags = tags;
    s.mode = creation.mode;
    if (creation.max_record_size_kib) s.max_record_size_kib = static_cast<uint32_t>(*creation.max_record_size_kib);
    if (creation.distribution) s.distribution = *creation.distribution;
    if (creation.warm_throughput_mibps) {
      uint32_t mibps = static_cast<uint32_t>(*creation.warm_throughput_mibps);
      s.warm = WarmThroughput{mibps, s.status == StreamStatus::kActive ? mibps : 0};
    }
    for (uint32_t i = 0; i < static_cast<uint32_t>(shard_count); ++i) {
      // Counter 0 stays unused: it names the shard's StartingSequenceNumber.
      AddShard(s, UniformRange(i, static_cast<uint32_t>(shard_count)), 1, now);
    }
    // The logs first: a stream record always has the logs of its shards.
    Status logs = Status::Ok();
    for (const ShardState& shard : s.shards) {
      logs = store_.CreateLog({s.incarnation, shard.index}, LogOptionsFor(s, shard.start_counter));
      if (!logs.ok()) break;
    }
    // CREATING lasts its delay from when the stream is recorded: creating
    // replicated logs can take a while, and the caller sees the stream only now.
    s.transition_due_ms = clock_.NowMs() + options_.create_stream_ms;
    StatusOr<uint64_t> written = logs.ok() ? WriteMetaAndWait({key, EncodeStreamState(s),
                                                               existing ? existing->revision : store::kMustNotExist})
                                           : StatusOr<uint64_t>(logs);
    if (written.ok()) return Status::Ok();
    for (const ShardState& shard : s.shards) (void)store_.DropLog({s.incarnation, shard.index});
    if (written.status().code() != Errc::kConflict) return written.status();
    // Another node created (or removed) the stream meanwhile: look again.
  }
  return Status::Unavailable("Stream " + address.name + " kept changing; try again");
}

void StreamService::DeleteStream(const StreamAddress& address, bool enforce_consumer_deletion, Done done) {
  StreamPtr written;
  Status status = MutateStream(
      address,
      [&](StreamState& s, int64_t now) -> Status {
        if (s.status == StreamStatus::kDeleting) return StreamNotFound(address);
        // A CREATING stream may be deleted, as in Kinesis.
        const auto consumers = registry_.Consumers(address, s.incarnation);
        const bool has_consumers = std::any_of(consumers.begin(), consumers.end(),
                                               [now](const ConsumerPtr& c) { return !ConsumerGone(c->state, now); });
        if (delete_guard_) RIFFLE_RETURN_IF_ERROR(delete_guard_(address, s.incarnation));
        if (!enforce_consumer_deletion && has_consumers) {
          // Wording not verified against AWS.
          return Status::InUse("Stream " + address.name + " under account " + address.account_id +
                               " has registered consumers. Set EnforceConsumerDeletion to delete them with it.");
        }
        s.status = StreamStatus::kDeleting;
        s.transition_due_ms = now + options_.delete_stream_ms;
        s.pending.reset();
        return Status::Ok();
      },
      &written);
  if (!status.ok()) return done(status);
  if (written) notifier_.NotifyStream(written->state.incarnation);  // ends its subscriptions
  // Records and consumers go now; the record itself once the delay is over
  // (a failure here is retried in the background).
  (void)Settle(address);
  done(Status::Ok());
}

StatusOr<StreamState> StreamService::StreamSnapshot(const StreamAddress& address, bool fresh) {
  if (fresh) RIFFLE_RETURN_IF_ERROR(Barrier());
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  return AsOf(stream->state, now);
}

StatusOr<std::vector<store::MetaEntry>> StreamService::MetaWithPrefix(const std::string& prefix, bool fresh) {
  if (fresh) RIFFLE_RETURN_IF_ERROR(Barrier());
  return registry_.Globals(prefix);
}

StatusOr<StreamDescription> StreamService::DescribeStream(const StreamAddress& address, std::optional<int64_t> limit,
                                                          const std::optional<std::string>& exclusive_start_shard_id) {
  RIFFLE_RETURN_IF_ERROR(Barrier());
  RIFFLE_RETURN_IF_ERROR(Settle(address));  // a due reshard shows its children
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  const StreamState& s = stream->state;
  StreamDescription d;
  d.name = s.address.name;
  d.arn = s.address.Arn();
  d.status = StatusAsOf(s, now);
  d.retention_hours = s.retention_hours;
  d.created_ms = s.created_ms;
  d.shard_level_metrics = ShardLevelMetricNames(s.shard_level_metrics);
  d.encrypted = s.encrypted;
  d.key_id = s.key_id;
  d.mode = s.mode;
  // Kinesis returns at most 100 shards per call, whatever the Limit.
  int64_t max = std::min<int64_t>(limit.value_or(100), 100);
  for (const ShardState& shard : s.shards) {
    std::string id = ShardIdString(shard.index);
    if (exclusive_start_shard_id && id <= *exclusive_start_shard_id) continue;
    if (static_cast<int64_t>(d.shards.size()) >= max) {
      d.has_more_shards = true;
      break;
    }
    d.shards.push_back(DescribeShard(s, shard));
  }
  return d;
}

StreamList StreamService::ListStreams(const std::string& account_id, const std::string& region,
                                      std::optional<int64_t> limit,
                                      const std::optional<std::string>& exclusive_start_name) {
  (void)Barrier();  // on failure: what this node knows
  const int64_t now = clock_.NowMs();
  int64_t max = std::min<int64_t>(limit.value_or(100), 100);
  StreamList list;
  for (const StreamPtr& stream : registry_.Streams()) {  // in key order: by name within an account and region
    const StreamState& s = stream->state;
    if (s.address.account_id != account_id || s.address.region != region || stream->IsGone(now)) continue;
    if (exclusive_start_name && s.address.name <= *exclusive_start_name) continue;
    if (static_cast<int64_t>(list.streams.size()) >= max) {
      list.has_more = true;
      break;
    }
    list.streams.push_back({s.address.name, s.address.Arn(), StatusAsOf(s, now), s.created_ms, s.mode});
  }
  return list;
}

}  // namespace riffle::core
