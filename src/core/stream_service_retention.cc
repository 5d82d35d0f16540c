// StreamService retention: trims records older than each stream's retention.
#include "core/stream_service_internal.h"

namespace riffle::core {

Status StreamService::TrimExpired() {
  const int64_t now = clock_.NowMs();
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, stream] : streams_) streams.push_back(stream);
  }
  Status first_error = Status::Ok();
  for (const std::shared_ptr<Stream>& stream : streams) {
    struct Work {
      store::ShardKey key;
      ShardRuntime* runtime;  // the deque keeps it in place; `stream` keeps it alive
      uint64_t committed_end;
    };
    std::vector<Work> work;
    int64_t cutoff;
    {
      std::lock_guard lock(stream->mu);
      const StreamState& s = stream->state;
      if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) continue;
      cutoff = now - static_cast<int64_t>(s.retention_hours) * 3600 * 1000;
      for (const ShardState& shard : s.shards) {
        ShardRuntime& rt = stream->runtime[shard.index];
        work.push_back({stream->Key(shard.index), &rt, rt.committed_end.load()});
      }
    }
    for (const Work& w : work) {
      // Counters below the first record that arrived at or after the cutoff
      // are expired. Only settled counters are considered: a write still in
      // flight arrived after the snapshot was taken, so it is not expired.
      auto found = store_.FirstCounterAtOrAfter(w.key, cutoff);
      if (!found.ok()) {
        if (first_error.ok()) first_error = found.status();
        continue;
      }
      const uint64_t below = found->has_value() ? std::min(**found, w.committed_end) : w.committed_end;
      if (below <= w.runtime->trim_end.load()) continue;
      // Hide first, then delete: a reader never gets a record that is being deleted.
      w.runtime->RaiseTrimEnd(below);
      Status trimmed = store_.Trim({w.key, below});
      if (!trimmed.ok() && first_error.ok()) first_error = trimmed;
    }
  }
  return first_error;
}

}  // namespace riffle::core
