// StreamService: where writes and reads land, for callers that limit
// throughput per shard before the operation runs.
#include "core/stream_service_internal.h"

namespace riffle::core {

StatusOr<PutRouting> StreamService::RoutePuts(const StreamAddress& address, std::span<const PutEntry> entries) {
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return StreamNotFound(address);
  store::Mutation m;
  PutRouting routing;
  routing.shards.reserve(entries.size());
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return StreamNotFound(address);
    Refresh(*stream, now, m);
    const StreamState& s = stream->state;
    if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) return StreamNotFound(address);
    routing.incarnation = s.incarnation;
    for (const PutEntry& e : entries) {
      routing.shards.push_back(
          stream->Route(e.explicit_hash_key ? *e.explicit_hash_key : HashKey::FromPartitionKey(e.partition_key)));
    }
  }
  Commit(std::move(m), [](Status) {});
  return routing;
}

std::optional<ShardIterator> StreamService::PeekIterator(const std::string& shard_iterator) const {
  return iterators_.Decode(shard_iterator);
}

}  // namespace riffle::core
