#include "store/memory/memory_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/memory/meta_table.h"
#include "store/memory/record_slab.h"
#include "store/single_process.h"

namespace riffle::store::memory {
namespace {

using single_process::Closed;
using single_process::NoLog;
using single_process::WallClockMs;

uint64_t SizeOf(const AppendEntry& e) { return e.partition_key.size() + e.data.size(); }

// One stored record: its bytes in the batch's slab chunk.
struct StoredRecord {
  std::string_view partition_key;
  std::string_view data;
};
uint64_t SizeOf(const StoredRecord& r) { return r.partition_key.size() + r.data.size(); }

// One appended batch, immutable once in its log; reads hold references to
// the batches their records view, so trimming never frees bytes handed out.
struct Batch {
  uint64_t first = 0;  // counter of entries[0]; entries[i] has first + i
  int64_t arrival_ms = 0;
  uint64_t bytes = 0;  // partition keys and data of all entries
  std::shared_ptr<SlabChunk> chunk;  // holds every entry's bytes
  std::vector<StoredRecord> entries;
};

struct Log {
  explicit Log(ShardKey s) : shard(s) {}
  const ShardKey shard;
  std::mutex mu;
  // Everything below is guarded by mu.
  int64_t created_ms = 0;
  uint64_t first_counter = 1;
  uint64_t next_counter = 1;  // one past the highest counter handed out
  uint64_t trim_end = 0;      // counters below it are never returned
  bool sealed = false;
  uint64_t sealed_end = 0;
  bool dropped = false;
  int64_t last_arrival_ms = INT64_MIN;
  uint64_t bytes = 0;
  std::deque<std::shared_ptr<const Batch>> batches;  // counter order (and arrival order)
  RecordSlab slab;
};

class MemoryStore final : public Store {
 public:
  // --- metadata ---

  StatusOr<std::vector<MetaEntry>> ScanMeta(const std::string& prefix) override {
    if (closed_) return Closed();
    return meta_.Scan(prefix);
  }

  StatusOr<std::optional<MetaEntry>> GetMeta(const std::string& key, bool ephemeral) override {
    if (closed_) return Closed();
    return meta_.Get(key, ephemeral);
  }

  void WriteMeta(MetaWrite write, std::function<void(StatusOr<uint64_t>)> done) override {
    if (closed_) return done(Closed());
    if (write.value && write.value->size() > kMaxMetaValueBytes) {
      return done(Status::InvalidArgument("metadata value too large"));
    }
    uint64_t revision = 0;
    {
      // Held while the observer runs: it hears each key's writes in revision
      // order, and before the write is answered (SyncMeta waits for nothing).
      std::lock_guard lock(meta_write_mu_);
      StatusOr<MetaChange> change =
          write.ephemeral ? meta_.WriteEphemeral(write, WallClockMs()) : meta_.Apply(write);
      if (!change.ok()) return done(change.status());
      if (meta_observer_) meta_observer_(*change);
      revision = change->revision;
    }
    done(revision);
  }

  void SetMetaObserver(std::function<void(const MetaChange&)> observer) override {
    std::lock_guard lock(meta_write_mu_);
    meta_observer_ = std::move(observer);
  }

  Status SyncMeta() override { return closed_ ? Closed() : Status::Ok(); }

  // --- record logs ---

  Status CreateLog(ShardKey shard, const LogOptions& options) override {
    if (closed_) return Closed();
    std::shared_ptr<Log> log;
    bool created = false;
    {
      std::unique_lock lock(logs_mu_);
      std::shared_ptr<Log>& slot = logs_[shard];
      if (!slot) {
        slot = std::make_shared<Log>(shard);
        created = true;
      }
      log = slot;
    }
    std::lock_guard lock(log->mu);
    if (created) {
      log->created_ms = WallClockMs();
      log->first_counter = options.first_counter;
      log->next_counter = options.first_counter;
      log->trim_end = options.first_counter;
    } else if (!log->sealed && log->next_counter < options.first_counter) {
      // Nothing was ever appended below first_counter's request: raise where
      // counting starts (appends complete inline, so none is in flight).
      log->first_counter = options.first_counter;
      log->next_counter = options.first_counter;
      log->trim_end = std::max(log->trim_end, options.first_counter);
    }
    return Status::Ok();
  }

  StatusOr<uint64_t> SealLog(ShardKey shard) override {
    if (closed_) return Closed();
    std::shared_ptr<Log> log = Find(shard);
    if (!log) return NoLog(shard);
    std::lock_guard lock(log->mu);
    if (log->dropped) return NoLog(shard);
    if (!log->sealed) {
      log->sealed = true;
      log->sealed_end = log->next_counter;
    }
    return log->sealed_end;
  }

  Status DropLog(ShardKey shard) override {
    if (closed_) return Closed();
    std::shared_ptr<Log> log;
    {
      std::unique_lock lock(logs_mu_);
      auto it = logs_.find(shard);
      if (it == logs_.end()) return Status::Ok();
      log = std::move(it->second);
      logs_.erase(it);
    }
    std::deque<std::shared_ptr<const Batch>> dropped;
    {
      std::lock_guard lock(log->mu);
      log->dropped = true;
      log->bytes = 0;
      dropped.swap(log->batches);
    }
    return Status::Ok();  // `dropped` frees the records here, outside every lock
  }

  StatusOr<std::vector<LogInfo>> ListLogs() override {
    if (closed_) return Closed();
    std::vector<LogInfo> out;
    std::shared_lock lock(logs_mu_);
    out.reserve(logs_.size());
    for (const auto& [shard, log] : logs_) {
      std::lock_guard log_lock(log->mu);
      out.push_back({shard, log->created_ms});
    }
    return out;
  }

  void Append(std::vector<AppendBatch> batches, std::function<void(std::vector<AppendResult>)> done) override {
    std::vector<AppendResult> results(batches.size());
    std::vector<ShardKey> stored;
    for (size_t i = 0; i < batches.size(); ++i) {
      AppendBatch& batch = batches[i];
      AppendResult& result = results[i];
      result.counters.assign(batch.entries.size(), 0);
      if (closed_) {
        result.error = Closed();
        continue;
      }
      std::shared_ptr<Log> log = Find(batch.shard);
      if (!log) {
        result.error = NoLog(batch.shard);
        result.returned = std::move(batch.entries);
        continue;
      }
      if (batch.entries.empty()) {
        result.error = Status::InvalidArgument("append batch has no records");
        continue;
      }
      auto stored_batch = std::make_shared<Batch>();
      for (const AppendEntry& e : batch.entries) {
        if (SizeOf(e) > MaxRecordBytes()) {
          result.error = Status::InvalidArgument("record too large");
          break;
        }
        stored_batch->bytes += SizeOf(e);
      }
      if (!result.error.ok()) continue;
      const size_t count = batch.entries.size();
      std::lock_guard lock(log->mu);
      if (log->dropped) {
        result.error = NoLog(batch.shard);
        result.returned = std::move(batch.entries);
        continue;
      }
      if (log->sealed) {
        result.error = Status::Sealed("the log is sealed");
        result.returned = std::move(batch.entries);
        continue;
      }
      if (log->next_counter > UINT64_MAX - count) {
        result.error = Status::InvalidArgument("append batch counters would overflow");
        continue;
      }
      // Arrival times never go backwards in a log (FindByArrival and
      // TrimBefore rely on it).
      const int64_t arrival = std::max(batch.arrival_ms, log->last_arrival_ms);
      stored_batch->first = log->next_counter;
      stored_batch->arrival_ms = arrival;
      RecordSlab::Span span = log->slab.Reserve(stored_batch->bytes);
      stored_batch->chunk = std::move(span.chunk);
      stored_batch->entries.reserve(count);
      for (const AppendEntry& e : batch.entries) {
        char* pk = span.at;
        std::memcpy(pk, e.partition_key.data(), e.partition_key.size());
        char* data = pk + e.partition_key.size();
        std::memcpy(data, e.data.data(), e.data.size());
        span.at = data + e.data.size();
        stored_batch->entries.push_back({{pk, e.partition_key.size()}, {data, e.data.size()}});
      }
      for (size_t k = 0; k < count; ++k) result.counters[k] = log->next_counter + k;
      result.arrival_ms = arrival;
      log->next_counter += count;
      log->last_arrival_ms = arrival;
      log->bytes += stored_batch->bytes;
      log->batches.push_back(std::move(stored_batch));
      stored.push_back(batch.shard);
    }
    batches.clear();
    done(std::move(results));
    if (append_observer_) {
      for (const ShardKey& shard : stored) append_observer_(shard);
    }
  }

  void Read(ShardKey shard, uint64_t from, ReadLimits limits, std::function<void(StatusOr<LogRead>)> done) override {
    if (closed_) return done(Closed());
    std::shared_ptr<Log> log = Find(shard);
    if (!log) return done(NoLog(shard));
    std::vector<std::shared_ptr<const Batch>> picked;
    uint64_t end = 0;
    uint64_t start = 0;
    bool more = false;  // batches after the picked ones hold records at or after `from`
    {
      std::lock_guard lock(log->mu);
      if (log->dropped) return done(NoLog(shard));
      end = log->next_counter;
      start = std::max(from, log->trim_end);
      // The batch that may hold `start`, then as many as the limits can use.
      auto it = std::upper_bound(log->batches.begin(), log->batches.end(), start,
                                 [](uint64_t c, const std::shared_ptr<const Batch>& b) { return c < b->first; });
      if (it != log->batches.begin()) --it;
      uint64_t records = 0;
      uint64_t bytes = 0;
      for (; it != log->batches.end(); ++it) {
        const Batch& b = **it;
        if (b.first + b.entries.size() <= start) continue;
        if (records >= limits.max_records || bytes >= limits.max_bytes) {
          more = true;
          break;
        }
        picked.push_back(*it);
        if (b.first >= start) {
          records += b.entries.size();
          bytes += b.bytes;
        } else {
          for (size_t k = start - b.first; k < b.entries.size(); ++k) bytes += SizeOf(b.entries[k]);
          records += b.entries.size() - (start - b.first);
        }
      }
    }
    // Outside the log's lock: the batches are immutable. The records view
    // the batches' slab chunks, kept alive by the read (trimming or dropping
    // the log meanwhile frees nothing the read hands out).
    LogRead out;
    bool limited = false;
    uint64_t bytes = 0;
    for (std::shared_ptr<const Batch>& b : picked) {
      const size_t k0 = b->first >= start ? 0 : static_cast<size_t>(start - b->first);
      const size_t before = out.records.size();
      for (size_t k = k0; k < b->entries.size() && !limited; ++k) {
        const StoredRecord& e = b->entries[k];
        const uint64_t size = SizeOf(e);
        if (!out.records.empty() && (out.records.size() >= limits.max_records || bytes + size > limits.max_bytes)) {
          limited = true;
          break;
        }
        bytes += size;
        out.records.AddView(b->first + k, b->arrival_ms, e.partition_key, e.data);
      }
      if (out.records.size() > before) out.records.bytes.Keep(std::move(b));
      if (limited) break;
    }
    if (limited || (more && !out.records.empty())) {
      out.next = out.records.back().counter + 1;
      out.at_end = false;
    } else {
      out.next = std::max(start, end);
      out.at_end = true;
    }
    done(std::move(out));
  }

  void Bounds(ShardKey shard, std::function<void(StatusOr<LogBounds>)> done) override {
    if (closed_) return done(Closed());
    std::shared_ptr<Log> log = Find(shard);
    if (!log) return done(NoLog(shard));
    std::lock_guard lock(log->mu);
    if (log->dropped) return done(NoLog(shard));
    LogBounds bounds;
    bounds.end = log->next_counter;
    const uint64_t first = log->batches.empty() ? bounds.end : log->batches.front()->first;
    bounds.first = std::min(std::max(first, log->trim_end), bounds.end);
    bounds.sealed = log->sealed;
    done(bounds);
  }

  void FindByArrival(ShardKey shard, int64_t ms, std::function<void(StatusOr<uint64_t>)> done) override {
    if (closed_) return done(Closed());
    std::shared_ptr<Log> log = Find(shard);
    if (!log) return done(NoLog(shard));
    std::lock_guard lock(log->mu);
    if (log->dropped) return done(NoLog(shard));
    auto it = std::partition_point(log->batches.begin(), log->batches.end(),
                                   [ms](const std::shared_ptr<const Batch>& b) { return b->arrival_ms < ms; });
    const uint64_t end = log->next_counter;
    if (it == log->batches.end()) return done(end);
    done(std::min(std::max((*it)->first, log->trim_end), end));
  }

  StatusOr<uint64_t> TrimBefore(ShardKey shard, int64_t cutoff_ms) override {
    if (closed_) return Closed();
    std::shared_ptr<Log> log = Find(shard);
    if (!log) return NoLog(shard);
    std::vector<std::shared_ptr<const Batch>> expired;
    uint64_t trim_end = 0;
    {
      std::lock_guard lock(log->mu);
      if (log->dropped) return NoLog(shard);
      while (!log->batches.empty() && log->batches.front()->arrival_ms < cutoff_ms) {
        log->bytes -= log->batches.front()->bytes;
        expired.push_back(std::move(log->batches.front()));
        log->batches.pop_front();
      }
      const uint64_t below = log->batches.empty() ? log->next_counter : log->batches.front()->first;
      log->trim_end = std::max(log->trim_end, below);
      trim_end = log->trim_end;
    }
    return trim_end;  // `expired` frees the records here, outside the lock
  }

  void SetAppendObserver(std::function<void(ShardKey)> observer) override { append_observer_ = std::move(observer); }
  void WatchAppends(ShardKey, bool) override {}  // every append goes through this object

  // As the RocksDB store: the largest record Kinesis allows, with room to spare.
  uint64_t MaxRecordBytes() const override { return uint64_t{16} << 20; }

  Status Ready() override { return closed_ ? Closed() : Status::Ok(); }

  std::vector<uint64_t> ApproximateLogBytes(std::span<const ShardKey> shards) override {
    std::vector<uint64_t> sizes;
    sizes.reserve(shards.size());
    for (const ShardKey& shard : shards) {
      std::shared_ptr<Log> log = Find(shard);
      if (!log) {
        sizes.push_back(0);
        continue;
      }
      std::lock_guard lock(log->mu);
      sizes.push_back(log->bytes);
    }
    return sizes;
  }

  Status Checkpoint(const std::string&) override {
    return Status::Validation("an --in-memory store keeps nothing on disk to back up");
  }

  void Close() override { closed_ = true; }

 private:
  std::shared_ptr<Log> Find(ShardKey shard) {
    std::shared_lock lock(logs_mu_);
    auto it = logs_.find(shard);
    return it == logs_.end() ? nullptr : it->second;
  }

  std::atomic<bool> closed_{false};
  MetaTable meta_;
  std::mutex meta_write_mu_;
  std::function<void(const MetaChange&)> meta_observer_;  // guarded by meta_write_mu_
  std::function<void(ShardKey)> append_observer_;         // set once, before the first append
  std::shared_mutex logs_mu_;
  std::map<ShardKey, std::shared_ptr<Log>> logs_;  // guarded by logs_mu_
};

}  // namespace

std::unique_ptr<Store> Open() { return std::make_unique<MemoryStore>(); }

}  // namespace riffle::store::memory
