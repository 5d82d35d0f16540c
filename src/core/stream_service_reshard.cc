// StreamService resharding: SplitShard and MergeShards.
//
// A reshard request is checked, then either applied at once (update delay 0)
// or recorded as the stream's pending reshard while it is UPDATING; it is
// applied when the delay is over (Refresh). Applying closes the parent
// shard(s) at their next counter and opens children whose counters start
// after the parents', so lineage reads in increasing sequence order.
#include "core/stream_service_internal.h"

namespace riffle::core {

void StreamService::ApplyReshard(Stream& stream, int64_t now) {
  StreamState& s = stream.state;
  if (!s.pending) return;
  PendingReshard p = *s.pending;
  s.pending.reset();
  if (p.kind == ReshardKind::kUniformScaling) {
    ApplyUniformScaling(stream, p.shard, now);
  } else if (p.kind == ReshardKind::kSplit) {
    HashKeyRange parent = s.shards[p.shard].range;
    stream.CloseShard(p.shard, now);
    uint64_t start = s.shards[p.shard].end_counter;
    ShardState& low = stream.AddShard({parent.start, HashKey(p.new_starting_hash_key.value() - 1)}, start, now);
    low.parent = p.shard;
    ShardState& high = stream.AddShard({p.new_starting_hash_key, parent.end}, start, now);
    high.parent = p.shard;
  } else {
    HashKeyRange a = s.shards[p.shard].range;
    HashKeyRange b = s.shards[p.adjacent_shard].range;
    stream.CloseShard(p.shard, now);
    stream.CloseShard(p.adjacent_shard, now);
    uint64_t start = std::max(s.shards[p.shard].end_counter, s.shards[p.adjacent_shard].end_counter);
    ShardState& child = stream.AddShard({std::min(a.start, b.start), std::max(a.end, b.end)}, start, now);
    child.parent = p.shard;
    child.adjacent_parent = p.adjacent_shard;
  }
  stream.RebuildRouting();
  notifier_.NotifyStream(s.incarnation);  // subscribers of closed parents
}

void StreamService::StartReshard(Stream& stream, const PendingReshard& reshard, int64_t now,
                                 store::Mutation& mutation) {
  StreamState& s = stream.state;
  s.pending = reshard;
  if (options_.update_stream_ms > 0) {
    s.status = StreamStatus::kUpdating;
    s.transition_due_ms = now + options_.update_stream_ms;
  } else {
    ApplyReshard(stream, now);
  }
  // The new state supersedes whatever Refresh queued.
  mutation.meta_puts.clear();
  mutation.meta_puts.emplace_back(StreamMetaKey(s.address), EncodeStreamState(s));
}

void StreamService::SplitShard(const StreamAddress& address, const std::string& shard_to_split,
                               const std::string& new_starting_hash_key, Done done) {
  std::lock_guard control(control_mu_);
  int64_t now = clock_.NowMs();
  std::optional<uint32_t> index = ParseShardId(shard_to_split);
  if (!index) return done(Status::NotFound(ShardNotFoundMessage(shard_to_split, address)));
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  int64_t open = CountOpenShards(address.account_id, address.region);

  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    std::string shard_id = ShardIdString(*index);
    if (*index >= s.shards.size()) return done(Status::NotFound(ShardNotFoundMessage(shard_id, address)));
    if (open + 1 > options_.shard_limit) {
      return done(Status::LimitExceeded(
          "This request would exceed the shard limit for the account " + address.account_id + " in " +
          address.region + ". Current shard count for the account: " + std::to_string(open) +
          ". Limit: " + std::to_string(options_.shard_limit) +
          ". Number of additional shards that would have resulted from this request: 1. Refer to the AWS Service "
          "Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits "
          "and how to request higher limits."));
    }
    const ShardState& shard = s.shards[*index];
    auto key = HashKey::FromDecimal(new_starting_hash_key);
    // Kinesis requires start + 1 < NewStartingHashKey < end.
    if (!key || key->value() <= shard.range.start.value() + 1 || *key >= shard.range.end) {
      return done(Status::InvalidArgument(
          "NewStartingHashKey " + new_starting_hash_key + " used in SplitShard() on shard " + shard_id +
          " in stream " + address.name + " under account " + address.account_id +
          " is not both greater than one plus the shard's StartingHashKey " + shard.range.start.ToDecimal() +
          " and less than the shard's EndingHashKey " + shard.range.end.ToDecimal() + "."));
    }
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    if (s.mode == StreamMode::kOnDemand) return done(OnDemandReshardError(s, "SplitShard"));
    if (shard.closed) {
      return done(Status::InvalidArgument("Shard " + shard_id + " in stream " + address.name + " under account " +
                                          address.account_id +
                                          " has already been merged or split, and thus is not eligible for "
                                          "merging or splitting."));
    }
    PendingReshard p;
    p.kind = ReshardKind::kSplit;
    p.shard = *index;
    p.new_starting_hash_key = *key;
    StartReshard(*stream, p, now, m);
  }
  Commit(std::move(m), std::move(done));
}

void StreamService::MergeShards(const StreamAddress& address, const std::string& shard_to_merge,
                                const std::string& adjacent_shard_to_merge, Done done) {
  std::lock_guard control(control_mu_);
  int64_t now = clock_.NowMs();
  std::optional<uint32_t> first = ParseShardId(shard_to_merge);
  if (!first) return done(Status::NotFound(ShardNotFoundMessage(shard_to_merge, address)));
  std::optional<uint32_t> second = ParseShardId(adjacent_shard_to_merge);
  if (!second) return done(Status::NotFound(ShardNotFoundMessage(adjacent_shard_to_merge, address)));
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));

  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    std::string first_id = ShardIdString(*first);
    std::string second_id = ShardIdString(*second);
    for (const auto& [index, id] : {std::pair{*first, first_id}, std::pair{*second, second_id}}) {
      if (index >= s.shards.size()) return done(Status::NotFound(ShardNotFoundMessage(id, address)));
    }
    const ShardState& a = s.shards[*first];
    const ShardState& b = s.shards[*second];
    bool adjacent = *first != *second && !a.closed && !b.closed &&
                    ((a.range.end < HashKey::Max() && HashKey(a.range.end.value() + 1) == b.range.start) ||
                     (b.range.end < HashKey::Max() && HashKey(b.range.end.value() + 1) == a.range.start));
    if (!adjacent) {
      return done(Status::InvalidArgument("Shards " + first_id + " and " + second_id + " in stream " + address.name +
                                          " under account " + address.account_id +
                                          " are not an adjacent pair of shards eligible for merging"));
    }
    if (s.status != StreamStatus::kActive) return done(Status::InUse(NotActiveMessage(s)));
    if (s.mode == StreamMode::kOnDemand) return done(OnDemandReshardError(s, "MergeShards"));
    PendingReshard p;
    p.kind = ReshardKind::kMerge;
    p.shard = *first;
    p.adjacent_shard = *second;
    StartReshard(*stream, p, now, m);
  }
  Commit(std::move(m), std::move(done));
}

}  // namespace riffle::core
