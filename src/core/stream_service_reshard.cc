// StreamService resharding: SplitShard and MergeShards.
//
// A reshard request is checked and recorded as the stream's pending reshard
// (UPDATING for the update delay, or carried out at once without one:
// stream_service_settle.cc). Applying closes the parent shard(s) at their
// logs' ends and opens children whose counters start after the parents', so
// lineage reads in increasing sequence order.
#include "core/stream_service_internal.h"

namespace riffle::core {

std::vector<uint32_t> StreamService::ApplyReshard(StreamState& s, const std::map<uint32_t, uint64_t>& ends,
                                                  int64_t now) {
  if (!s.pending) return {};
  PendingReshard p = *s.pending;
  s.pending.reset();
  const size_t before = s.shards.size();
  auto end_of = [&ends](uint32_t index) {
    auto it = ends.find(index);
    return it == ends.end() ? uint64_t{0} : it->second;
  };
  if (p.kind == ReshardKind::kUniformScaling) {
    ApplyUniformScaling(s, p.shard, ends, now);
  } else if (p.kind == ReshardKind::kSplit) {
    HashKeyRange parent = s.shards[p.shard].range;
    CloseShard(s, p.shard, end_of(p.shard), now);
    uint64_t start = s.shards[p.shard].end_counter;
    ShardState& low = AddShard(s, {parent.start, HashKey(p.new_starting_hash_key.value() - 1)}, start, now);
    low.parent = p.shard;
    ShardState& high = AddShard(s, {p.new_starting_hash_key, parent.end}, start, now);
    high.parent = p.shard;
  } else {
    HashKeyRange a = s.shards[p.shard].range;
    HashKeyRange b = s.shards[p.adjacent_shard].range;
    CloseShard(s, p.shard, end_of(p.shard), now);
    CloseShard(s, p.adjacent_shard, end_of(p.adjacent_shard), now);
    uint64_t start = std::max(s.shards[p.shard].end_counter, s.shards[p.adjacent_shard].end_counter);
    ShardState& child = AddShard(s, {std::min(a.start, b.start), std::max(a.end, b.end)}, start, now);
    child.parent = p.shard;
    child.adjacent_parent = p.adjacent_shard;
  }
  std::vector<uint32_t> created;
  for (size_t i = before; i < s.shards.size(); ++i) created.push_back(static_cast<uint32_t>(i));
  return created;
}

void StreamService::SplitShard(const StreamAddress& address, const std::string& shard_to_split,
                               const std::string& new_starting_hash_key, Done done) {
  std::optional<uint32_t> index = ParseShardId(shard_to_split);
  if (!index) return done(Status::NotFound(ShardNotFoundMessage(shard_to_split, address)));
  auto shards_lock = shard_limit_locks_.Acquire(address.account_id, address.region);
  if (!shards_lock.ok()) return done(shards_lock.status());
  Status started = StartReshard(address, [&](StreamState& s, int64_t) -> Status {
    std::string shard_id = ShardIdString(*index);
    if (*index >= s.shards.size()) return Status::NotFound(ShardNotFoundMessage(shard_id, address));
    int64_t open = CountOpenShards(address.account_id, address.region);
    if (open + 1 > options_.shard_limit) {
      return Status::LimitExceeded(
          "This request would exceed the shard limit for the account " + address.account_id + " in " +
          address.region + ". Current shard count for the account: " + std::to_string(open) +
          ". Limit: " + std::to_string(options_.shard_limit) +
          ". Number of additional shards that would have resulted from this request: 1. Refer to the AWS Service "
          "Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits "
          "and how to request higher limits.");
    }
    const ShardState& shard = s.shards[*index];
    auto key = HashKey::FromDecimal(new_starting_hash_key);
    // Kinesis requires start + 1 < NewStartingHashKey < end.
    if (!key || key->value() <= shard.range.start.value() + 1 || *key >= shard.range.end) {
      return Status::InvalidArgument(
          "NewStartingHashKey " + new_starting_hash_key + " used in SplitShard() on shard " + shard_id +
          " in stream " + address.name + " under account " + address.account_id +
          " is not both greater than one plus the shard's StartingHashKey " + shard.range.start.ToDecimal() +
          " and less than the shard's EndingHashKey " + shard.range.end.ToDecimal() + ".");
    }
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    if (s.mode == StreamMode::kOnDemand) return OnDemandReshardError(s, "SplitShard");
    if (shard.closed) {
      return Status::InvalidArgument("Shard " + shard_id + " in stream " + address.name + " under account " +
                                     address.account_id +
                                     " has already been merged or split, and thus is not eligible for "
                                     "merging or splitting.");
    }
    PendingReshard p;
    p.kind = ReshardKind::kSplit;
    p.shard = *index;
    p.new_starting_hash_key = *key;
    s.pending = p;
    return Status::Ok();
  });
  shards_lock->Release();  // before `done`, which may split again
  done(started);
}

void StreamService::MergeShards(const StreamAddress& address, const std::string& shard_to_merge,
                                const std::string& adjacent_shard_to_merge, Done done) {
  std::optional<uint32_t> first = ParseShardId(shard_to_merge);
  if (!first) return done(Status::NotFound(ShardNotFoundMessage(shard_to_merge, address)));
  std::optional<uint32_t> second = ParseShardId(adjacent_shard_to_merge);
  if (!second) return done(Status::NotFound(ShardNotFoundMessage(adjacent_shard_to_merge, address)));
  done(StartReshard(address, [&](StreamState& s, int64_t) -> Status {
    std::string first_id = ShardIdString(*first);
    std::string second_id = ShardIdString(*second);
    for (const auto& [index, id] : {std::pair{*first, first_id}, std::pair{*second, second_id}}) {
      if (index >= s.shards.size()) return Status::NotFound(ShardNotFoundMessage(id, address));
    }
    const ShardState& a = s.shards[*first];
    const ShardState& b = s.shards[*second];
    // ShardToMerge must be the lower of the two: Kinesis refuses the pair in
    // the inverted order.
    bool adjacent = *first != *second && !a.closed && !b.closed && a.range.end < HashKey::Max() &&
                    HashKey(a.range.end.value() + 1) == b.range.start;
    if (!adjacent) {
      return Status::InvalidArgument("Shards " + first_id + " and " + second_id + " in stream " + address.name +
                                     " under account " + address.account_id +
                                     " are not an adjacent pair of shards eligible for merging");
    }
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    if (s.mode == StreamMode::kOnDemand) return OnDemandReshardError(s, "MergeShards");
    PendingReshard p;
    p.kind = ReshardKind::kMerge;
    p.shard = *first;
    p.adjacent_shard = *second;
    s.pending = p;
    return Status::Ok();
  }));
}

}  // namespace riffle::core
