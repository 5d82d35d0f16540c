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

namespace {

// Runs a store mutation and waits for it. Start-up only.
Status SubmitAndWait(store::Store& store, store::Mutation mutation) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  store.Submit(std::move(mutation), [&promise](Status s) { promise.set_value(std::move(s)); });
  return future.get();
}

}  // namespace

StatusOr<std::unique_ptr<StreamService>> StreamService::Open(store::Store& store, const Clock& clock,
                                                             ServiceOptions options) {
  auto globals = store.ScanMeta("global/");
  if (!globals.ok()) return globals.status();
  std::string secret;
  uint64_t next_incarnation = 1;
  for (const auto& [key, value] : *globals) {
    if (key == kIteratorSecretKey) secret = value;
    if (key == kNextIncarnationKey) {
      auto n = DecodeU64(value);
      if (!n.ok()) return n.status();
      next_incarnation = *n;
    }
  }
  if (secret.empty()) {
    secret.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) {
      return Status::Internal("cannot generate the iterator secret");
    }
    store::Mutation m;
    m.meta_puts.emplace_back(std::string(kIteratorSecretKey), secret);
    RIFFLE_RETURN_IF_ERROR(SubmitAndWait(store, std::move(m)));
  }
  std::unique_ptr<StreamService> service(
      new StreamService(store, clock, options, std::move(secret), next_incarnation));

  auto streams = store.ScanMeta(std::string(kStreamKeyPrefix));
  if (!streams.ok()) return streams.status();
  for (const auto& [key, value] : *streams) {
    auto state = DecodeStreamState(value);
    if (!state.ok()) return Status::StorageError("metadata " + key + ": " + state.status().message());
    auto stream = std::make_shared<Stream>();
    stream->state = std::move(*state);
    for (const ShardState& shard : stream->state.shards) {
      auto last = store.LastCounter(stream->Key(shard.index));
      if (!last.ok()) return last.status();
      ShardRuntime& rt = stream->runtime.emplace_back();
      rt.next_counter = shard.start_counter;
      if (last->has_value()) rt.next_counter = std::max(rt.next_counter, **last + 1);
      if (shard.closed) rt.next_counter = std::max(rt.next_counter, shard.end_counter);
      rt.committed_end = rt.next_counter;
    }
    stream->RebuildRouting();
    service->next_incarnation_ = std::max(service->next_incarnation_, stream->state.incarnation + 1);
    service->by_incarnation_[stream->state.incarnation] = stream;
    service->streams_[key] = std::move(stream);
  }
  auto consumers = store.ScanMeta(std::string(kConsumerKeyPrefix));
  if (!consumers.ok()) return consumers.status();
  for (const auto& [key, value] : *consumers) {
    auto consumer = DecodeConsumerState(value);
    if (!consumer.ok()) return Status::StorageError("metadata " + key + ": " + consumer.status().message());
    auto it = service->by_incarnation_.find(consumer->incarnation);
    if (it == service->by_incarnation_.end()) continue;  // its stream is gone
    it->second->consumers[consumer->name] = std::move(*consumer);
  }
  auto accounts = store.ScanMeta(std::string(kAccountKeyPrefix));
  if (!accounts.ok()) return accounts.status();
  for (const auto& [key, value] : *accounts) {
    auto settings = DecodeAccountSettings(value);
    if (!settings.ok()) return Status::StorageError("metadata " + key + ": " + settings.status().message());
    service->accounts_[key] = *settings;
  }
  return service;
}

StreamService::StreamService(store::Store& store, const Clock& clock, ServiceOptions options, std::string secret,
                             uint64_t next_incarnation)
    : store_(store),
      clock_(clock),
      options_(options),
      iterators_(std::move(secret)),
      next_incarnation_(next_incarnation) {}

StreamService::~StreamService() = default;

std::shared_ptr<StreamService::Stream> StreamService::Find(const StreamAddress& address) const {
  std::shared_lock lock(registry_mu_);
  auto it = streams_.find(StreamMetaKey(address));
  return it == streams_.end() ? nullptr : it->second;
}

std::shared_ptr<StreamService::Stream> StreamService::FindByIncarnation(uint64_t incarnation) const {
  std::shared_lock lock(registry_mu_);
  auto it = by_incarnation_.find(incarnation);
  return it == by_incarnation_.end() ? nullptr : it->second;
}

Status StreamService::StreamNotFound(const StreamAddress& address) const {
  return Status::NotFound("Stream " + address.name + " under account " + address.account_id + " not found.");
}

void StreamService::Refresh(Stream& stream, int64_t now, store::Mutation& mutation) {
  StreamState& s = stream.state;
  if (now < s.transition_due_ms) return;
  if (s.status == StreamStatus::kCreating) {
    if (s.warm) s.warm->current_mibps = s.warm->target_mibps;
    s.status = StreamStatus::kActive;
  } else if (s.status == StreamStatus::kUpdating) {
    ApplyReshard(stream, now);
    if (s.warm) s.warm->current_mibps = s.warm->target_mibps;
    s.status = StreamStatus::kActive;
  } else {
    return;
  }
  mutation.meta_puts.emplace_back(StreamMetaKey(s.address), EncodeStreamState(s));
}

void StreamService::Commit(store::Mutation mutation, Done done) {
  if (mutation.appends.empty() && mutation.meta_puts.empty() && mutation.meta_deletes.empty() &&
      mutation.drop_shards.empty()) {
    done(Status::Ok());
    return;
  }
  store_.Submit(std::move(mutation), std::move(done));
}

int64_t StreamService::CountOpenShards(const std::string& account_id, const std::string& region) {
  int64_t now = clock_.NowMs();
  int64_t count = 0;
  std::shared_lock registry(registry_mu_);
  for (const auto& [key, stream] : streams_) {
    std::lock_guard lock(stream->mu);
    const StreamAddress& a = stream->state.address;
    if (a.account_id != account_id || a.region != region || stream->IsGone(now)) continue;
    count += static_cast<int64_t>(stream->open_by_start.size());
    // A pending split adds one open shard when it completes.
    if (stream->state.pending && stream->state.pending->kind == ReshardKind::kSplit) count += 1;
    // A pending uniform scaling leaves `target` open shards.
    if (stream->state.pending && stream->state.pending->kind == ReshardKind::kUniformScaling) {
      count += static_cast<int64_t>(stream->state.pending->shard) - static_cast<int64_t>(stream->open_by_start.size());
    }
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
  bool on_demand = creation.mode == StreamMode::kOnDemand;
  int64_t shard_count = on_demand ? kOnDemandInitialShards : *creation.shard_count;
  std::lock_guard control(control_mu_);
  int64_t now = clock_.NowMs();
  {
    // Sweep streams whose deletion has completed, so the name is free again.
    std::unique_lock registry(registry_mu_);
    for (auto it = streams_.begin(); it != streams_.end();) {
      if (it->second->IsGone(now)) {
        by_incarnation_.erase(it->second->state.incarnation);
        it = streams_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (Find(address) != nullptr) {
    done(Status::InUse("Stream " + address.name + " under account " + address.account_id + " already exists."));
    return;
  }
  if (creation.warm_throughput_mibps) {
    if (Status checked = CheckWarmThroughput(address, *creation.warm_throughput_mibps, now); !checked.ok()) {
      return done(checked);
    }
  }
  if (on_demand) {
    int64_t on_demand_count = CountOnDemandStreams(address.account_id, address.region);
    if (on_demand_count >= options_.on_demand_stream_limit) {
      return done(Status::LimitExceeded(OnDemandLimitMessage(address, on_demand_count, options_.on_demand_stream_limit)));
    }
  }
  int64_t open = CountOpenShards(address.account_id, address.region);
  if (open + shard_count > options_.shard_limit) {
    done(Status::LimitExceeded(ShardLimitMessage(address, open, options_.shard_limit, shard_count)));
    return;
  }
  auto stream = std::make_shared<Stream>();
  StreamState& s = stream->state;
  s.address = address;
  s.incarnation = next_incarnation_++;
  s.created_ms = now;
  s.status = options_.create_stream_ms > 0 ? StreamStatus::kCreating : StreamStatus::kActive;
  s.transition_due_ms = now + options_.create_stream_ms;
  s.tags = std::move(tags);
  s.mode = creation.mode;
  if (creation.max_record_size_kib) s.max_record_size_kib = static_cast<uint32_t>(*creation.max_record_size_kib);
  if (creation.warm_throughput_mibps) {
    uint32_t mibps = static_cast<uint32_t>(*creation.warm_throughput_mibps);
    s.warm = WarmThroughput{mibps, s.status == StreamStatus::kActive ? mibps : 0};
  }
  for (uint32_t i = 0; i < static_cast<uint32_t>(shard_count); ++i) {
    // Counter 0 stays unused: it names the shard's StartingSequenceNumber.
    stream->AddShard(UniformRange(i, static_cast<uint32_t>(shard_count)), 1, now);
  }
  stream->RebuildRouting();

  store::Mutation m;
  m.meta_puts.emplace_back(StreamMetaKey(address), EncodeStreamState(s));
  m.meta_puts.emplace_back(std::string(kNextIncarnationKey), EncodeU64(next_incarnation_));
  {
    std::unique_lock registry(registry_mu_);
    by_incarnation_[s.incarnation] = stream;
    streams_[StreamMetaKey(address)] = stream;
  }
  Commit(std::move(m), std::move(done));
}

void StreamService::DeleteStream(const StreamAddress& address, bool enforce_consumer_deletion, Done done) {
  std::lock_guard control(control_mu_);
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now) || stream->state.status == StreamStatus::kDeleting) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    if (stream->state.status == StreamStatus::kCreating) {
      return done(Status::InUse("Attempt to change a resource which is still in use: Stream is being created: " +
                                address.name));
    }
    RefreshConsumers(*stream, now, m);
    if (!stream->consumers.empty() && !enforce_consumer_deletion) {
      // Wording not verified against AWS.
      return done(Status::InUse("Stream " + address.name + " under account " + address.account_id +
                                " has registered consumers. Set EnforceConsumerDeletion to delete them with it."));
    }
    m.meta_puts.clear();
    for (const auto& [name, consumer] : stream->consumers) m.meta_deletes.push_back(ConsumerMetaKey(address, name));
    stream->consumers.clear();
    stream->state.status = StreamStatus::kDeleting;
    stream->state.transition_due_ms = now + options_.delete_stream_ms;
    stream->state.pending.reset();
    m.meta_deletes.push_back(StreamMetaKey(address));
    for (const ShardState& shard : stream->state.shards) m.drop_shards.push_back(stream->Key(shard.index));
  }
  if (options_.delete_stream_ms <= 0) {
    std::unique_lock registry(registry_mu_);
    streams_.erase(StreamMetaKey(address));
    by_incarnation_.erase(stream->state.incarnation);
  }
  notifier_.NotifyStream(stream->state.incarnation);  // ends its subscriptions
  Commit(std::move(m), std::move(done));
}

StatusOr<StreamDescription> StreamService::DescribeStream(const StreamAddress& address, std::optional<int64_t> limit,
                                                          const std::optional<std::string>& exclusive_start_shard_id) {
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return StreamNotFound(address);
  store::Mutation m;
  StreamDescription d;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return StreamNotFound(address);
    Refresh(*stream, now, m);
    const StreamState& s = stream->state;
    d.name = s.address.name;
    d.arn = s.address.Arn();
    d.status = s.status;
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
      ShardDescription sd = stream->Describe(shard);
      d.shards.push_back(std::move(sd));
    }
  }
  Commit(std::move(m), [](Status) {});
  return d;
}

StreamList StreamService::ListStreams(const std::string& account_id, const std::string& region,
                                      std::optional<int64_t> limit,
                                      const std::optional<std::string>& exclusive_start_name) {
  int64_t now = clock_.NowMs();
  int64_t max = std::min<int64_t>(limit.value_or(100), 100);
  StreamList list;
  std::vector<std::shared_ptr<Stream>> candidates;
  {
    std::shared_lock registry(registry_mu_);
    for (const auto& [key, stream] : streams_) candidates.push_back(stream);
  }
  for (const auto& stream : candidates) {
    store::Mutation m;
    {
      std::lock_guard lock(stream->mu);
      const StreamState& s = stream->state;
      if (s.address.account_id != account_id || s.address.region != region || stream->IsGone(now)) continue;
      if (exclusive_start_name && s.address.name <= *exclusive_start_name) continue;
      if (static_cast<int64_t>(list.streams.size()) >= max) {
        list.has_more = true;
        break;
      }
      Refresh(*stream, now, m);
      list.streams.push_back({s.address.name, s.address.Arn(), s.status, s.created_ms, s.mode});
    }
    Commit(std::move(m), [](Status) {});
  }
  return list;
}

}  // namespace riffle::core
