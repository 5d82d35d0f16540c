// StreamService retention: trims records older than each stream's retention.
#include "core/stream_service_internal.h"

namespace riffle::core {

Status StreamService::TrimExpired() {
  const int64_t now = clock_.NowMs();
  Status first_error = Status::Ok();
  for (const StreamPtr& stream : registry_.Streams()) {
    const StreamState& s = stream->state;
    if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) continue;
    const int64_t cutoff = now - static_cast<int64_t>(s.retention_hours) * 3600 * 1000;
    for (const ShardState& shard : s.shards) {
      auto trimmed = store_.TrimBefore(stream->Key(shard.index), cutoff);
      if (!trimmed.ok() && trimmed.status().code() != Errc::kResourceNotFound && first_error.ok()) {
        first_error = trimmed.status();
      }
    }
  }
  return first_error;
}

Status StreamService::CollectOrphanLogs(int64_t min_age_ms) {
  RIFFLE_RETURN_IF_ERROR(Barrier());
  auto logs = store_.ListLogs();
  if (!logs.ok()) return logs.status();
  const int64_t now = clock_.NowMs();
  Status first_error = Status::Ok();
  for (const store::LogInfo& log : *logs) {
    if (now - log.created_ms < min_age_ms) continue;  // perhaps a stream being created right now
    StreamPtr stream = registry_.FindByIncarnation(log.shard.incarnation);
    if (stream != nullptr && stream->state.status != StreamStatus::kDeleting &&
        log.shard.shard_index < stream->state.shards.size()) {
      continue;
    }
    Status dropped = store_.DropLog(log.shard);
    if (!dropped.ok() && first_error.ok()) first_error = dropped;
  }
  return first_error;
}

std::vector<StreamService::StreamBytes> StreamService::BytesOnDisk() {
  std::vector<StreamPtr> streams = registry_.Streams();
  std::vector<store::ShardKey> keys;
  for (const StreamPtr& stream : streams) {
    for (const ShardState& shard : stream->state.shards) keys.push_back(stream->Key(shard.index));
  }
  std::vector<uint64_t> sizes = store_.ApproximateLogBytes(keys);
  std::vector<StreamBytes> out;
  if (sizes.size() != keys.size()) return out;
  out.reserve(streams.size());
  size_t next = 0;
  for (const StreamPtr& stream : streams) {
    StreamBytes usage{stream->state.address, 0};
    for (size_t i = 0; i < stream->state.shards.size(); ++i) usage.bytes += sizes[next++];
    out.push_back(std::move(usage));
  }
  return out;
}

}  // namespace riffle::core
