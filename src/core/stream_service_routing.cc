// StreamService: where writes and reads land, for callers that limit
// throughput per shard before the operation runs.
#include "core/stream_service_internal.h"

namespace riffle::core {

StatusOr<PutRouting> StreamService::RoutePuts(const StreamAddress& address, std::span<const PutEntry> entries) {
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  const StreamStatus status = StatusAsOf(stream->state, now);
  if (status == StreamStatus::kCreating || status == StreamStatus::kDeleting) return StreamNotFound(address);
  PutRouting routing;
  routing.incarnation = stream->state.incarnation;
  routing.shards.reserve(entries.size());
  for (const PutEntry& e : entries) {
    routing.shards.push_back(
        stream->Route(e.explicit_hash_key ? *e.explicit_hash_key : HashKey::FromPartitionKey(e.partition_key)));
  }
  return routing;
}

void StreamService::SpreadIfAuto(const StreamAddress& address, std::span<PutEntry> entries) {
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->state.distribution != RecordDistribution::kAuto) return;
  // A Weyl sequence: successive multiples of 2^128 / golden ratio, modulo
  // 2^128, fall evenly over the space whatever the shards' ranges.
  constexpr uint128 kStep = (uint128{0x9E3779B97F4A7C15ull} << 64) | 0xF39CC0605CEDC834ull;
  uint128 next = spread_counter_.fetch_add(entries.size(), std::memory_order_relaxed);
  for (PutEntry& e : entries) e.explicit_hash_key = HashKey(kStep * next++);
}

std::optional<ShardIterator> StreamService::PeekIterator(const std::string& shard_iterator) const {
  return iterators_.Decode(shard_iterator);
}

}  // namespace riffle::core
