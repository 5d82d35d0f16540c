// RocksDbStore record logs: log records, counters, appends and reads.
#include <algorithm>
#include <chrono>
#include <memory>
#include <future>
#include <mutex>
#include <utility>

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/space_reclaimer.h"
#include "store/rocksdb/writer.h"
#include "store/single_process.h"

namespace riffle::store::rocksdb_store {

using single_process::Closed;
using single_process::NoLog;
using single_process::WallClockMs;

namespace {

LogRecord RecordOf(const LogState& log) {
  return LogRecord{log.first_counter, log.created_ms, log.sealed, log.sealed_end};
}

}  // namespace

Status RocksDbStore::LoadLogs() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kDefault)));
  for (it->Seek(kLogRecordPrefix); it->Valid() && it->key().starts_with(kLogRecordPrefix); it->Next()) {
    std::optional<ShardKey> shard = DecodeLogRecordKey({it->key().data(), it->key().size()});
    StatusOr<LogRecord> record = DecodeLogRecord({it->value().data(), it->value().size()});
    if (!shard || !record.ok()) return Status::StorageError("corrupt log record " + it->key().ToString(true));
    StatusOr<std::optional<uint64_t>> last = LastStoredCounter(record_cfs(), *shard);
    if (!last.ok()) return last.status();
    bool created = false;
    std::shared_ptr<LogState> log = logs_.FindOrAdd(*shard, &created);
    log->first_counter = record->first_counter;
    log->created_ms = record->created_ms;
    log->sealed = record->sealed;
    log->sealed_end = record->sealed_end;
    log->next_counter = std::max(record->first_counter, last->has_value() ? **last + 1 : 0);
    if (record->sealed) log->next_counter = std::max(log->next_counter, record->sealed_end);
    log->readable_end = log->next_counter;
  }
  if (!it->status().ok()) return Status::StorageError("rocksdb read failed: " + it->status().ToString());
  return Status::Ok();
}

Status RocksDbStore::CreateLog(ShardKey shard, const LogOptions& options) {
  if (closed_) return Closed();
  bool created = false;
  std::shared_ptr<LogState> log = logs_.FindOrAdd(shard, &created);
  std::unique_lock lock(log->mu);
  if (created) {
    // A log created over records left from before log records existed (an
    // older data directory) continues after them.
    StatusOr<std::optional<uint64_t>> last = Guarded<std::optional<uint64_t>>([&] {
      std::shared_lock db_lock(mu_);
      return db_ ? LastStoredCounter(record_cfs(), shard) : StatusOr<std::optional<uint64_t>>(Closed());
    });
    if (!last.ok()) {
      logs_.Remove(shard);
      return last.status();
    }
    log->first_counter = options.first_counter;
    log->created_ms = WallClockMs();
    log->next_counter = std::max(options.first_counter, last->has_value() ? **last + 1 : 0);
    log->readable_end = log->next_counter;
  } else if (log->sealed || log->next_counter >= options.first_counter) {
    return Status::Ok();  // already as asked (retention is the trimmer's business here)
  } else if (log->readable_end.load() == log->next_counter) {
    // Nothing in flight: raise where counting starts.
    log->first_counter = options.first_counter;
    log->next_counter = options.first_counter;
    log->readable_end = options.first_counter;
  }
  PreparedMutation m;
  m.Add(WriteOp::Kind::kPut, Cf::kDefault, LogRecordKey(shard), EncodeLogRecord(RecordOf(*log)));
  lock.unlock();
  return WriteAndWait(std::move(m));
}

StatusOr<uint64_t> RocksDbStore::SealLog(ShardKey shard) {
  if (closed_) return Closed();
  std::shared_ptr<LogState> log = logs_.Find(shard);
  if (!log) return NoLog(shard);
  std::unique_lock lock(log->mu);
  if (log->dropped) return NoLog(shard);
  if (!log->sealed) {
    log->sealed = true;
    log->sealed_end = log->next_counter;
  }
  const uint64_t end = log->sealed_end;
  // Queued after every append that got counters before the seal, so once it
  // is written they are all settled.
  PreparedMutation m;
  m.Add(WriteOp::Kind::kPut, Cf::kDefault, LogRecordKey(shard), EncodeLogRecord(RecordOf(*log)));
  std::promise<Status> promise;
  std::future<Status> written = promise.get_future();
  bool queued =
      writer_ && writer_->Submit(std::move(m), [&promise](Status s) { promise.set_value(std::move(s)); });
  lock.unlock();
  if (!queued) return Closed();
  RIFFLE_RETURN_IF_ERROR(written.get());
  return end;
}

Status RocksDbStore::DropLog(ShardKey shard) {
  if (closed_) return Closed();
  PreparedMutation m;
  m.AddDropRecords(shard);
  m.Add(WriteOp::Kind::kDelete, Cf::kDefault, LogRecordKey(shard), std::string());
  std::shared_ptr<LogState> log = logs_.Find(shard);
  std::unique_lock<std::mutex> lock;
  if (log) {
    lock = std::unique_lock(log->mu);
    log->dropped = true;
    logs_.Remove(shard);
  }
  std::promise<Status> promise;
  std::future<Status> written = promise.get_future();
  bool queued =
      writer_ && writer_->Submit(std::move(m), [&promise](Status s) { promise.set_value(std::move(s)); });
  if (lock.owns_lock()) lock.unlock();
  if (!queued) return Closed();
  RIFFLE_RETURN_IF_ERROR(written.get());
  if (reclaimer_) {
    // Once the records are deleted, their disk space is given back.
    std::shared_lock db_lock(mu_);
    if (db_) {
      reclaimer_->Reclaim(cf(Cf::kRecords), ShardPrefix(shard), RecordKeyEnd(shard), compact_dropped_);
      reclaimer_->Reclaim(cf(Cf::kTimeIndex), ShardPrefix(shard), TimeKeyEnd(shard), compact_dropped_);
    }
  }
  return Status::Ok();
}

StatusOr<std::vector<LogInfo>> RocksDbStore::ListLogs() {
  if (closed_) return Closed();
  std::vector<LogInfo> out;
  for (const std::shared_ptr<LogState>& log : logs_.All()) {
    std::lock_guard lock(log->mu);
    out.push_back({log->shard, log->created_ms});
  }
  return out;
}

void RocksDbStore::SetAppendObserver(std::function<void(ShardKey)> observer) {
  append_observer_ = std::move(observer);
}

void RocksDbStore::Append(std::vector<AppendBatch> batches, std::function<void(std::vector<AppendResult>)> done) {
  struct Placed {
    size_t index;
    std::shared_ptr<LogState> log;
    uint64_t first;
    size_t count;
  };
  auto results = std::make_shared<std::vector<AppendResult>>(batches.size());
  std::vector<std::shared_ptr<LogState>> logs(batches.size());
  std::vector<LogState*> order;
  for (size_t i = 0; i < batches.size(); ++i) {
    logs[i] = closed_ ? nullptr : logs_.Find(batches[i].shard);
    if (logs[i]) order.push_back(logs[i].get());
  }
  // Every log touched is locked (in key order) while its counters are handed
  // out and the write is queued: queue order is counter order in each log.
  std::sort(order.begin(), order.end(), [](const LogState* a, const LogState* b) { return a->shard < b->shard; });
  order.erase(std::unique(order.begin(), order.end()), order.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(order.size());
  for (LogState* log : order) locks.emplace_back(log->mu);

  auto placed = std::make_shared<std::vector<Placed>>();
  PreparedMutation m;
  for (size_t i = 0; i < batches.size(); ++i) {
    AppendBatch& batch = batches[i];
    AppendResult& result = (*results)[i];
    result.counters.assign(batch.entries.size(), 0);
    LogState* log = logs[i].get();
    if (closed_) {
      result.error = Closed();
    } else if (log == nullptr || log->dropped) {
      result.error = NoLog(batch.shard);
      result.returned = std::move(batch.entries);
    } else if (log->sealed) {
      result.error = Status::Sealed("the log is sealed");
      result.returned = std::move(batch.entries);
    } else if (batch.entries.empty()) {
      result.error = Status::InvalidArgument("append batch has no records");
    } else {
      batch.arrival_ms = std::max(batch.arrival_ms, log->last_arrival_ms);
      Status encoded = m.AddAppend(batch.shard, log->next_counter, batch);
      if (!encoded.ok()) {
        result.error = encoded;
        continue;
      }
      log->last_arrival_ms = batch.arrival_ms;
      result.arrival_ms = batch.arrival_ms;
      placed->push_back({i, logs[i], log->next_counter, batch.entries.size()});
      log->next_counter += batch.entries.size();
    }
  }
  batches.clear();
  if (placed->empty()) {
    locks.clear();
    return done(std::move(*results));
  }
  auto finish = [this, results, placed, done](Status status) {
    for (const Placed& p : *placed) {
      // Settled either way: a failed write's counters are never readable.
      p.log->RaiseReadableEnd(p.first + p.count);
      AppendResult& result = (*results)[p.index];
      if (status.ok()) {
        for (size_t k = 0; k < p.count; ++k) result.counters[k] = p.first + k;
      } else {
        result.error = status;
      }
    }
    done(std::move(*results));
    if (status.ok() && append_observer_) {
      for (const Placed& p : *placed) append_observer_(p.log->shard);
    }
  };
  const bool queued = writer_ && writer_->Submit(std::move(m), finish);
  locks.clear();
  if (!queued) finish(Closed());
}

StatusOr<LogBounds> RocksDbStore::BoundsLocked(const LogState& log) {
  LogBounds bounds;
  bounds.end = log.readable_end.load();
  const uint64_t trim = log.trim_end.load();
  StatusOr<std::optional<uint64_t>> first = FirstStoredCounter(record_cfs(), log.shard);
  if (!first.ok()) return first.status();
  bounds.first = std::min(std::max(first->value_or(bounds.end), trim), bounds.end);
  return bounds;
}

void RocksDbStore::Read(ShardKey shard, uint64_t from, ReadLimits limits,
                        std::function<void(StatusOr<LogRead>)> done) {
  done(Guarded<LogRead>([&]() -> StatusOr<LogRead> {
    std::shared_lock lock(mu_);
    if (!db_) return Closed();
    std::shared_ptr<LogState> log = logs_.Find(shard);
    if (!log) return NoLog(shard);
    const uint64_t end = log->readable_end.load();
    const uint64_t start = std::max(from, log->trim_end.load());
    LogRead out;
    bool limited = false;
    if (start < end) RIFFLE_RETURN_IF_ERROR(ReadRange(record_cfs(), shard, start, end - 1, limits, &out.records, &limited));
    if (limited) {
      out.next = out.records.back().counter + 1;
      out.at_end = false;
    } else {
      out.next = std::max(start, end);
      out.at_end = true;
    }
    return out;
  }));
}

void RocksDbStore::Bounds(ShardKey shard, std::function<void(StatusOr<LogBounds>)> done) {
  done(Guarded<LogBounds>([&]() -> StatusOr<LogBounds> {
    std::shared_lock lock(mu_);
    if (!db_) return Closed();
    std::shared_ptr<LogState> log = logs_.Find(shard);
    if (!log) return NoLog(shard);
    StatusOr<LogBounds> bounds = BoundsLocked(*log);
    if (bounds.ok()) {
      std::lock_guard log_lock(log->mu);
      bounds->sealed = log->sealed;
    }
    return bounds;
  }));
}

void RocksDbStore::FindByArrival(ShardKey shard, int64_t ms, std::function<void(StatusOr<uint64_t>)> done) {
  done(Guarded<uint64_t>([&]() -> StatusOr<uint64_t> {
    std::shared_lock lock(mu_);
    if (!db_) return Closed();
    std::shared_ptr<LogState> log = logs_.Find(shard);
    if (!log) return NoLog(shard);
    const uint64_t end = log->readable_end.load();
    StatusOr<std::optional<uint64_t>> found = FirstCounterAtOrAfter(record_cfs(), shard, ms);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return end;
    return std::min(std::max(**found, log->trim_end.load()), end);
  }));
}

StatusOr<uint64_t> RocksDbStore::TrimBefore(ShardKey shard, int64_t cutoff_ms) {
  return Guarded<uint64_t>([&]() -> StatusOr<uint64_t> {
    std::shared_lock lock(mu_);
    if (!db_) return Closed();
    std::shared_ptr<LogState> log = logs_.Find(shard);
    if (!log) return NoLog(shard);
    // Only settled counters are considered: a write still in flight arrived
    // after the cutoff was taken, so it is not expired.
    const uint64_t end = log->readable_end.load();
    StatusOr<std::optional<uint64_t>> found = FirstCounterAtOrAfter(record_cfs(), shard, cutoff_ms);
    if (!found.ok()) return found.status();
    const uint64_t below = found->has_value() ? std::min(**found, end) : end;
    if (below > log->trim_end.load()) {
      // Hide first, then delete: a reader never gets a record being deleted.
      log->RaiseTrimEnd(below);
      RIFFLE_RETURN_IF_ERROR(TrimBelow(record_cfs(), shard, below, reclaimer_.get()));
    }
    return log->trim_end.load();
  });
}

}  // namespace riffle::store::rocksdb_store
