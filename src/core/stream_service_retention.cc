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

}  // namespace riffle::core
