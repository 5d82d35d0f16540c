// StreamService metadata: start-up (loading, the shared iterator secret,
// adopting logs of older stores), the registry's freshness, and
// compare-and-set writes of stream and consumer records.
#include <openssl/rand.h>

#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

// A write that lost a race is retried on the fresh record; this many times
// means something keeps writing the key as fast as we read it.
constexpr int kMaxAttempts = 64;

std::string RandomSecret() {
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) return std::string();
  return secret;
}

Status GaveUp(const std::string& key) {
  return Status::Unavailable("metadata " + key + " kept changing; try again");
}

}  // namespace

StatusOr<std::unique_ptr<StreamService>> StreamService::Open(store::Store& store, const Clock& clock,
                                                             ServiceOptions options) {
  std::unique_ptr<StreamService> service(new StreamService(store, clock, options, std::string(32, '\0')));
  // The feed first, so no change is missed between the scan and it.
  StreamService* self = service.get();
  store.SetMetaObserver([self](const store::MetaChange& change) { self->registry_.Apply(change, true); });
  store.SetAppendObserver([self](store::ShardKey shard) { self->notifier_.Notify(shard.incarnation, shard.shard_index); });
  self->registry_.SetListener([self](const std::string& key, const StreamPtr& stream, uint64_t incarnation) {
    self->OnMetaChange(key, stream, incarnation);
  });

  auto entries = store.ScanMeta("");
  if (!entries.ok()) return entries.status();
  for (const store::MetaEntry& e : *entries) {
    self->registry_.Apply(store::MetaChange{e.key, e.value, e.revision, false}, false);
  }
  if (self->registry_.undecodable() != 0) {
    return Status::StorageError(std::to_string(self->registry_.undecodable()) +
                                " metadata records do not decode (written by a newer Riffle?)");
  }

  // The iterator secret: the first node to start creates it, every node
  // uses it (an iterator from one node works on all).
  std::optional<store::MetaEntry> secret = self->registry_.Global(std::string(kIteratorSecretKey));
  if (!secret) {
    std::string fresh = RandomSecret();
    if (fresh.empty()) return Status::Internal("cannot generate the iterator secret");
    auto written = self->WriteMetaAndWait({std::string(kIteratorSecretKey), fresh, store::kMustNotExist});
    if (!written.ok() && written.status().code() != Errc::kConflict) return written.status();
    if (!written.ok()) {
      auto stored = store.GetMeta(std::string(kIteratorSecretKey));
      if (!stored.ok()) return stored.status();
      if (!stored->has_value()) return Status::StorageError("the iterator secret vanished");
      self->registry_.Apply(store::MetaChange{(*stored)->key, (*stored)->value, (*stored)->revision, false}, false);
    }
    secret = self->registry_.Global(std::string(kIteratorSecretKey));
    if (!secret) return Status::StorageError("the iterator secret was not stored");
  }
  if (secret->value.size() < 16) return Status::StorageError("the iterator secret is too short");
  self->iterators_ = ShardIteratorCodec(secret->value);

  RIFFLE_RETURN_IF_ERROR(self->AdoptLogs());
  for (const StreamPtr& stream : self->registry_.Streams()) self->ScheduleSettle(*stream);
  return service;
}

StreamService::StreamService(store::Store& store, const Clock& clock, ServiceOptions options, std::string secret)
    : store_(store), clock_(clock), options_(options), iterators_(std::move(secret)) {}

StreamService::~StreamService() { Stop(); }

void StreamService::Stop() { worker_.Stop(); }

// Stores written before logs existed kept records per shard without log
// records; every shard of every stream gets its log once, then the marker.
Status StreamService::AdoptLogs() {
  if (registry_.Global(std::string(kStoreLogsKey))) return Status::Ok();
  for (const StreamPtr& stream : registry_.Streams()) {
    const StreamState& s = stream->state;
    if (s.status == StreamStatus::kDeleting) continue;  // its records were dropped with it
    for (const ShardState& shard : s.shards) {
      RIFFLE_RETURN_IF_ERROR(store_.CreateLog(stream->Key(shard.index), LogOptionsFor(s, shard.start_counter)));
      if (shard.closed) {
        auto sealed = store_.SealLog(stream->Key(shard.index));
        if (!sealed.ok()) return sealed.status();
      }
    }
  }
  auto written = WriteMetaAndWait({std::string(kStoreLogsKey), std::string(1, '\x01'), store::kMustNotExist});
  if (!written.ok() && written.status().code() != Errc::kConflict) return written.status();
  return Status::Ok();
}

store::LogOptions StreamService::LogOptionsFor(const StreamState& s, uint64_t first_counter) const {
  store::LogOptions options;
  options.first_counter = first_counter;
  options.retention_ms = int64_t{s.retention_hours} * 3600 * 1000;
  return options;
}

Status StreamService::Barrier() { return store_.SyncMeta(); }

StreamPtr StreamService::Find(const StreamAddress& address) const { return registry_.Find(StreamMetaKey(address)); }

StatusOr<uint64_t> StreamService::WriteMetaAndWait(store::MetaWrite write) {
  Waiter<StatusOr<uint64_t>> waiter;
  store::MetaChange change{write.key, write.value, 0, write.ephemeral};
  store_.WriteMeta(std::move(write), waiter.Callback());
  StatusOr<uint64_t> revision = waiter.Wait();
  if (revision.ok()) {
    change.revision = *revision;
    registry_.Apply(change, false);
  }
  return revision;
}

void StreamService::AfterBarrier(std::function<void()> retry) {
  worker_.Post([this, retry = std::move(retry)] {
    (void)Barrier();  // on failure the retry answers from what is known
    retry();
  });
}

Status StreamService::MutateStream(const StreamAddress& address, const StreamChange& change, StreamPtr* written) {
  const std::string key = StreamMetaKey(address);
  auto lock = key_locks_.Lock(key);
  RIFFLE_RETURN_IF_ERROR(Barrier());
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const int64_t now = clock_.NowMs();
    StreamPtr stream = registry_.Find(key);
    if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
    const StreamState& current = stream->state;
    if (current.pending && current.status == StreamStatus::kUpdating && now >= current.transition_due_ms) {
      // A reshard is due: carry it out before anything else changes.
      lock.unlock();
      RIFFLE_RETURN_IF_ERROR(Settle(address));
      lock.lock();
      continue;
    }
    StreamState s = AsOf(current, now);
    RIFFLE_RETURN_IF_ERROR(change(s, now));
    auto revision = WriteMetaAndWait({key, EncodeStreamState(s), stream->revision});
    if (revision.ok()) {
      if (written != nullptr) *written = registry_.Find(key);
      return Status::Ok();
    }
    if (revision.status().code() != Errc::kConflict) return revision.status();
    RIFFLE_RETURN_IF_ERROR(Barrier());  // another node wrote it: read theirs, try again
  }
  return GaveUp(key);
}

Status StreamService::MutateConsumer(const ResourceRef& resource, const ConsumerChange& change) {
  const StreamAddress& address = resource.stream;
  const std::string key = ConsumerMetaKey(address, *resource.consumer);
  auto lock = key_locks_.Lock(key);
  RIFFLE_RETURN_IF_ERROR(Barrier());
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const int64_t now = clock_.NowMs();
    StreamPtr stream = Find(address);
    if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
    ConsumerPtr consumer = LiveConsumer(*stream, *resource.consumer, resource.consumer_created_seconds, now);
    if (consumer == nullptr) return ConsumerNotFound(address, *resource.consumer);
    ConsumerState c = ConsumerAsOf(consumer->state, now);
    RIFFLE_RETURN_IF_ERROR(change(c, *stream, now));
    auto revision = WriteMetaAndWait({key, EncodeConsumerState(c), consumer->revision});
    if (revision.ok()) return Status::Ok();
    if (revision.status().code() != Errc::kConflict) return revision.status();
    RIFFLE_RETURN_IF_ERROR(Barrier());
  }
  return GaveUp(key);
}

StatusOr<uint64_t> StreamService::NewIncarnation() {
  const std::string key(kNextIncarnationKey);
  // Its own lock, not a key lock: CreateStream holds its stream's key lock
  // here, and two key locks may be one mutex.
  std::lock_guard lock(incarnation_mu_);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto stored = store_.GetMeta(key);
    if (!stored.ok()) return stored.status();
    uint64_t next = 1;
    uint64_t expected = store::kMustNotExist;
    if (stored->has_value()) {
      auto value = DecodeU64((*stored)->value);
      if (!value.ok()) return value.status();
      next = *value;
      expected = (*stored)->revision;
    }
    // Never below an incarnation already in use (stores that counted in memory).
    for (const StreamPtr& stream : registry_.Streams()) next = std::max(next, stream->state.incarnation + 1);
    auto written = WriteMetaAndWait({key, EncodeU64(next + 1), expected});
    if (written.ok()) return next;
    if (written.status().code() != Errc::kConflict) return written.status();
  }
  return GaveUp(key);
}

void StreamService::OnMetaChange(const std::string& key, const StreamPtr& stream, uint64_t incarnation) {
  // Subscribers re-check their shard: it may have closed, its stream or
  // consumer gone, or their lease been taken.
  if (incarnation != 0) notifier_.NotifyStream(incarnation);
  if (stream && key.compare(0, kStreamKeyPrefix.size(), kStreamKeyPrefix) == 0 && registry_.Find(key) == stream) {
    ScheduleSettle(*stream);
  }
  if (stream && key.compare(0, kConsumerKeyPrefix.size(), kConsumerKeyPrefix) == 0) {
    ConsumerPtr consumer = registry_.FindConsumer(key);
    if (consumer && consumer->state.status == ConsumerStatus::kDeleting) {
      const StreamAddress address = stream->state.address;
      const uint64_t inc = consumer->state.incarnation;
      worker_.PostAfter(std::max<int64_t>(consumer->state.transition_due_ms - clock_.NowMs(), 0),
                        [this, address, inc] { SettleConsumers(address, inc); });
    }
  }
}

StreamState StreamService::AsOf(const StreamState& s, int64_t now) {
  StreamState out = s;
  out.status = StatusAsOf(s, now);
  if (out.status == StreamStatus::kActive && s.status != StreamStatus::kActive && out.warm) {
    out.warm->current_mibps = out.warm->target_mibps;
  }
  return out;
}

StreamStatus StreamService::StatusAsOf(const StreamState& s, int64_t now) {
  if (now < s.transition_due_ms) return s.status;
  if (s.status == StreamStatus::kCreating) return StreamStatus::kActive;
  // A reshard stays UPDATING until it is carried out (Settle).
  if (s.status == StreamStatus::kUpdating && !s.pending) return StreamStatus::kActive;
  return s.status;
}

ConsumerState StreamService::ConsumerAsOf(const ConsumerState& c, int64_t now) {
  ConsumerState out = c;
  if (c.status == ConsumerStatus::kCreating && now >= c.transition_due_ms) out.status = ConsumerStatus::kActive;
  return out;
}

bool StreamService::ConsumerGone(const ConsumerState& c, int64_t now) {
  return c.status == ConsumerStatus::kDeleting && now >= c.transition_due_ms;
}

}  // namespace riffle::core
