// StreamService deferred transitions: carrying out due reshards and
// deletions, whichever node gets there first.
//
// A reshard is recorded first (the stream's pending reshard, UPDATING until
// due), then carried out: the shards it closes are sealed (their logs refuse
// appends from then on; a put that races the seal lands before the end or is
// refused and re-routed), the children's logs are created to count on from
// the parents' ends, and the new layout replaces the pending one with one
// compare-and-set. Every step is idempotent, so a node that dies half-way
// leaves work any node finishes.
//
// A deletion is recorded first (DELETING until due); the shards' logs and
// the stream's consumers go at once, the record once the delay is over.
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

constexpr int kMaxSettleAttempts = 64;
constexpr int kInlineSettleAttempts = 3;
constexpr int64_t kFirstSettleRetryMs = 1000;
constexpr int64_t kLastSettleRetryMs = 30000;

}  // namespace

void StreamService::ScheduleSettle(const StreamEntry& stream) {
  const StreamState& s = stream.state;
  const bool reshard_pending = s.pending && s.status == StreamStatus::kUpdating;
  if (!reshard_pending && s.status != StreamStatus::kDeleting) return;
  const StreamAddress address = s.address;
  SettleWhenDue(address, std::max<int64_t>(s.transition_due_ms - clock_.NowMs(), 0), kFirstSettleRetryMs);
}

void StreamService::SettleWhenDue(const StreamAddress& address, int64_t delay_ms, int64_t retry_ms) {
  worker_.PostAfter(delay_ms, [this, address, retry_ms] {
    // The store failed (e.g. no quorum): try again later, until the
    // transition is carried out or the stream is gone (Settle is then Ok).
    if (!Settle(address).ok()) SettleWhenDue(address, retry_ms, std::min(retry_ms * 2, kLastSettleRetryMs));
  });
}

std::vector<uint32_t> StreamService::ShardsClosedBy(const StreamEntry& stream, const PendingReshard& p) const {
  const StreamState& s = stream.state;
  switch (p.kind) {
    case ReshardKind::kSplit:
      return {p.shard};
    case ReshardKind::kMerge:
      return {p.shard, p.adjacent_shard};
    case ReshardKind::kUniformScaling: {
      // Open shards that are not exactly one of the target ranges.
      std::vector<uint32_t> closed;
      std::vector<HashKeyRange> wanted;
      for (uint32_t j = 0; j < p.shard; ++j) wanted.push_back(UniformRange(j, p.shard));
      for (uint32_t index : stream.open_by_start) {
        const HashKeyRange& r = s.shards[index].range;
        bool keep = std::any_of(wanted.begin(), wanted.end(),
                                [&r](const HashKeyRange& w) { return w.start == r.start && w.end == r.end; });
        if (!keep) closed.push_back(index);
      }
      return closed;
    }
  }
  return {};
}

Status StreamService::Settle(const StreamAddress& address) {
  const std::string key = StreamMetaKey(address);
  auto lock = key_locks_.Lock(key);
  for (int attempt = 0; attempt < kMaxSettleAttempts; ++attempt) {
    const int64_t now = clock_.NowMs();
    StreamPtr stream = registry_.Find(key);
    if (stream == nullptr) return Status::Ok();
    const StreamState& current = stream->state;

    if (current.status == StreamStatus::kDeleting) {
      for (const ShardState& shard : current.shards) RIFFLE_RETURN_IF_ERROR(store_.DropLog(stream->Key(shard.index)));
      for (const ConsumerPtr& consumer : registry_.Consumers(address, current.incarnation)) {
        auto removed = WriteMetaAndWait({ConsumerMetaKey(address, consumer->state.name), std::nullopt,
                                         consumer->revision});
        if (!removed.ok() && removed.status().code() != Errc::kConflict) return removed.status();
      }
      if (now < current.transition_due_ms) return Status::Ok();  // the record goes when due (scheduled)
      auto removed = WriteMetaAndWait({key, std::nullopt, stream->revision});
      if (removed.ok() || removed.status().code() != Errc::kConflict) return removed.status();
      RIFFLE_RETURN_IF_ERROR(Barrier());
      continue;
    }

    if (!current.pending || current.status != StreamStatus::kUpdating || now < current.transition_due_ms) {
      return Status::Ok();
    }
    // Seal what closes, learning where each ends.
    std::map<uint32_t, uint64_t> ends;
    for (uint32_t index : ShardsClosedBy(*stream, *current.pending)) {
      auto end = store_.SealLog(stream->Key(index));
      if (!end.ok()) return end.status();
      ends[index] = *end;
    }
    StreamState s = AsOf(current, now);
    const size_t before = s.shards.size();
    ApplyReshard(s, ends, now);
    if (s.warm) s.warm->current_mibps = s.warm->target_mibps;
    s.status = StreamStatus::kActive;
    // The children's logs count on from their start; shards born closed (the
    // intermediate merges of a uniform scaling) are sealed empty.
    for (size_t i = before; i < s.shards.size(); ++i) {
      const ShardState& shard = s.shards[i];
      RIFFLE_RETURN_IF_ERROR(store_.CreateLog(stream->Key(shard.index), LogOptionsFor(s, shard.start_counter)));
      if (shard.closed) {
        auto sealed = store_.SealLog(stream->Key(shard.index));
        if (!sealed.ok()) return sealed.status();
      }
    }
    auto written = WriteMetaAndWait({key, EncodeStreamState(s), stream->revision});
    if (written.ok()) {
      notifier_.NotifyStream(s.incarnation);  // subscribers of closed parents reach their end
      return Status::Ok();
    }
    if (written.status().code() != Errc::kConflict) return written.status();
    RIFFLE_RETURN_IF_ERROR(Barrier());  // another node finished it, or changed the stream
  }
  return Status::Unavailable("stream " + address.name + " kept changing while settling; try again");
}

void StreamService::SettleConsumers(const StreamAddress& address, uint64_t incarnation) {
  const int64_t now = clock_.NowMs();
  for (const ConsumerPtr& consumer : registry_.Consumers(address, incarnation)) {
    if (!ConsumerGone(consumer->state, now)) continue;
    (void)WriteMetaAndWait({ConsumerMetaKey(address, consumer->state.name), std::nullopt, consumer->revision});
  }
}

Status StreamService::StartReshard(const StreamAddress& address, const StreamChange& check_and_plan) {
  RIFFLE_RETURN_IF_ERROR(MutateStream(address, [&](StreamState& s, int64_t now) -> Status {
    RIFFLE_RETURN_IF_ERROR(check_and_plan(s, now));
    s.status = StreamStatus::kUpdating;
    s.transition_due_ms = now + options_.update_stream_ms;
    return Status::Ok();
  }));
  if (options_.update_stream_ms > 0) return Status::Ok();  // the background thread carries it out when due
  // Recorded: the reshard happens from here on whatever this call answers,
  // so a failure to carry it out at once is not the caller's to see (a
  // retried call would find its shards already closed, by this node's
  // background or another node). Carried out here so that the stream is
  // ACTIVE again when the call answers; left UPDATING to the background
  // (ScheduleSettle, on every node) when the store keeps failing.
  for (int attempt = 0; attempt < kInlineSettleAttempts; ++attempt) {
    if (attempt > 0 && !Barrier().ok()) break;
    if (Settle(address).ok()) break;
  }
  return Status::Ok();
}

}  // namespace riffle::core
