#include "store/rocksdb/writer.h"

#include <algorithm>
#include <exception>
#include <string>
#include <thread>
#include <utility>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/rocksdb/keys.h"

namespace riffle::store::rocksdb_store {
namespace {

void RunDone(const std::function<void(Status)>& done, Status status) {
  if (!done) return;
  try {
    done(std::move(status));
  } catch (...) {
    // `done` must not throw; swallow so the writer keeps going.
  }
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
}

Status FromRocks(const rocksdb::Status& s) {
  return Status::StorageError("rocksdb write failed: " + s.ToString());
}

}  // namespace

Writer::Writer(rocksdb::DB* db, std::array<rocksdb::ColumnFamilyHandle*, kNumCfs> cfs, SyncPolicy policy,
               std::chrono::milliseconds sync_interval, bool write_wal)
    : db_(db),
      cfs_(cfs),
      policy_(write_wal ? policy : SyncPolicy::kNever),
      sync_interval_(std::max(sync_interval, std::chrono::milliseconds(1))),
      write_wal_(write_wal),
      thread_([this] { Run(); }) {}

Writer::~Writer() { Stop(); }

bool Writer::Submit(PreparedMutation mutation, std::function<void(Status)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  queue_.push_back(Pending{std::move(mutation), std::move(done)});
  if (queue_.size() == 1) cv_.notify_one();
  return true;
}

void Writer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  std::call_once(join_once_, [this] {
    if (thread_.joinable()) thread_.join();
    if (resume_thread_.joinable()) resume_thread_.join();  // the writer thread has ended
  });
}

void Writer::Run() {
  std::deque<Pending> group;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      if (dirty_) {
        cv_.wait_until(lock, next_sync_, ready);
      } else {
        cv_.wait(lock, ready);
      }
      if (dirty_ && std::chrono::steady_clock::now() >= next_sync_) {
        lock.unlock();
        SyncWal();
        continue;
      }
      if (queue_.empty()) {
        if (!stopping_) continue;  // woke for the sync deadline early
        lock.unlock();
        if (dirty_) SyncWal();
        return;  // stopping and drained
      }
      size_t bytes = 0;
      while (!queue_.empty()) {
        const Pending& next = queue_.front();
        size_t size = next.mutation.bytes;
        if (!group.empty() && bytes + size > kMaxGroupBytes) break;
        bytes += size;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

void Writer::CommitGroup(std::deque<Pending>& group) {
  if (Status error; !Recover(&error)) {
    for (Pending& p : group) RunDone(p.done, error);
    return;
  }
  Status combined = Write(group, 0, group.size());
  if (combined.ok()) {
    for (Pending& p : group) RunDone(p.done, Status::Ok());
    return;
  }
  // Retry one by one so a mutation that cannot be written fails alone
  // (not after a stall: each would wait it out again).
  for (size_t i = 0; i < group.size(); ++i) {
    RunDone(group[i].done, group.size() == 1 || stalled_ ? combined : Write(group, i, i + 1));
  }
}

Status Writer::Write(const std::deque<Pending>& group, size_t begin, size_t end) {
  try {
    size_t bytes = 0;
    for (size_t i = begin; i < end; ++i) bytes += group[i].mutation.bytes;
    rocksdb::WriteBatch batch(bytes + 64 * (end - begin) + 64);
    for (size_t i = begin; i < end; ++i) {
      for (const WriteOp& op : group[i].mutation.ops) {
        rocksdb::ColumnFamilyHandle* cf = cfs_[static_cast<size_t>(op.cf)];
        rocksdb::Status s;
        switch (op.kind) {
          case WriteOp::Kind::kPut:
            s = batch.Put(cf, op.key, op.value);
            break;
          case WriteOp::Kind::kDelete:
            s = batch.Delete(cf, op.key);
            break;
          case WriteOp::Kind::kDeleteRange:
            s = batch.DeleteRange(cf, op.key, op.value);
            break;
        }
        if (!s.ok()) return FromRocks(s);
      }
    }
    if (batch.Count() == 0) return Status::Ok();
    rocksdb::WriteOptions options;
    options.sync = policy_ == SyncPolicy::kAlways;
    options.disableWAL = !write_wal_;
    const auto start = std::chrono::steady_clock::now();
    rocksdb::Status s = WriteThroughStalls(options, &batch);
    const uint64_t us = MicrosSince(start);
    write_latency_.Add(us);
    if (s.ok() && options.sync) sync_latency_.Add(us);
    if (!s.ok()) {
      failed_writes_.fetch_add(1, std::memory_order_relaxed);
      Status error = FromRocks(s);
      MarkDegraded(error);
      return error;
    }
    if (policy_ == SyncPolicy::kInterval && !dirty_) {
      dirty_ = true;
      next_sync_ = std::chrono::steady_clock::now() + sync_interval_;
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::StorageError(std::string("write failed: ") + e.what());
  }
}

rocksdb::Status Writer::WriteThroughStalls(rocksdb::WriteOptions options, rocksdb::WriteBatch* batch) {
  options.no_slowdown = true;
  stalled_ = false;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + kMaxStall;
  for (bool waited = false;; waited = true) {
    rocksdb::Status s = db_->Write(options, batch);
    if (waited && !s.IsIncomplete()) stall_us_.fetch_add(MicrosSince(start), std::memory_order_relaxed);
    if (!s.IsIncomplete()) return s;  // Incomplete: "Write stall" under no_slowdown
    if (!waited) stalls_.fetch_add(1, std::memory_order_relaxed);
    if (std::chrono::steady_clock::now() >= deadline) {
      stall_us_.fetch_add(MicrosSince(start), std::memory_order_relaxed);
      stalled_ = true;
      return rocksdb::Status::Incomplete("writes stopped for " + std::to_string(kMaxStall.count()) +
                                         " ms (flushes cannot keep up: disk full or failing?)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool Writer::Recover(Status* error) {
  if (!degraded_) return true;
  {
    std::lock_guard<std::mutex> lock(resume_mu_);
    if (resume_running_) {
      *error = degraded_error_;
      return false;
    }
    if (resume_finished_) {
      resume_finished_ = false;
      if (resume_result_.ok()) {
        degraded_ = false;
        degraded_flag_ = false;
        return true;
      }
      degraded_error_ = resume_result_;
    }
  }
  if (std::chrono::steady_clock::now() >= next_resume_) StartResume();
  *error = degraded_error_;
  return false;
}

void Writer::StartResume() {
  if (resume_thread_.joinable()) resume_thread_.join();  // finished: its result was taken
  {
    std::lock_guard<std::mutex> lock(resume_mu_);
    resume_running_ = true;
  }
  resume_thread_ = std::thread([this] {
    rocksdb::Status s;
    try {
      s = db_->Resume();  // OK at once when RocksDB holds no background error
    } catch (const std::exception& e) {
      s = rocksdb::Status::Aborted(e.what());
    }
    Status result = s.ok() ? Status::Ok()
                           : Status::StorageError("rocksdb write failed: " + s.ToString() +
                                                  " (writes resume once the store recovers)");
    {
      std::lock_guard<std::mutex> lock(resume_mu_);
      resume_result_ = std::move(result);
      resume_running_ = false;
      resume_finished_ = true;
    }
  });
  next_resume_ = std::chrono::steady_clock::now() + kResumeInterval;
}

void Writer::MarkDegraded(const Status& error) {
  if (!degraded_) {
    degraded_ = true;
    degraded_flag_ = true;
    next_resume_ = std::chrono::steady_clock::now() + kResumeInterval;
  }
  degraded_error_ = error;
}

void Writer::SyncWal() {
  // On failure stay dirty and retry at the next deadline (after Resume()).
  Status error;
  if (!Recover(&error)) {
    dirty_ = true;
  } else {
    const auto start = std::chrono::steady_clock::now();
    if (Status s = SyncWalWithWrite(db_); !s.ok()) {
      failed_writes_.fetch_add(1, std::memory_order_relaxed);
      MarkDegraded(s);
      dirty_ = true;
    } else {
      sync_latency_.Add(MicrosSince(start));
      dirty_ = false;
    }
  }
  next_sync_ = std::chrono::steady_clock::now() + sync_interval_;
}

Store::WriteStats Writer::Stats() const {
  Store::WriteStats stats;
  stats.writes = write_latency_.Read();
  stats.syncs = sync_latency_.Read();
  stats.stalls = stalls_.load(std::memory_order_relaxed);
  stats.stall_us = stall_us_.load(std::memory_order_relaxed);
  stats.failed_writes = failed_writes_.load(std::memory_order_relaxed);
  return stats;
}

Status SyncWalWithWrite(rocksdb::DB* db) {
  try {
    rocksdb::WriteBatch batch;
    rocksdb::Status s = batch.Put(db->DefaultColumnFamily(), kFormatVersionKey,
                                  std::string(1, static_cast<char>(kStoreFormatVersion)));
    if (s.ok()) {
      rocksdb::WriteOptions options;
      options.sync = true;
      options.no_slowdown = true;  // never wait on a stall that may not end (e.g. at close)
      s = db->Write(options, &batch);
    }
    if (!s.ok()) return Status::StorageError("rocksdb sync failed: " + s.ToString());
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::StorageError(std::string("sync failed: ") + e.what());
  }
}

}  // namespace riffle::store::rocksdb_store
