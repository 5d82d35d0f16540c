// Writer: the group-commit writer thread of the RocksDB store.
//
// Submit() queues a prepared mutation and returns at once. One thread takes
// every queued mutation (up to kMaxGroupBytes per group), puts them in one
// rocksdb::WriteBatch in submission order, writes it once (synced when the
// policy says so) and then runs each `done` with the result.
//
// Sync policies: kAlways writes every group with sync (one sync per group);
// kInterval writes unsynced and, on the same thread, syncs the WAL at most
// `sync_interval` after the first unsynced write (so a sync never races a
// write); kNever never syncs (the store syncs on Close()).
//
// Without a WAL (`write_wal` false, the in-memory store): groups go to the
// memtables only, never synced. A log in a memory filesystem would survive
// nothing the memtables do not, and copying every record into it (a string
// that grows by reallocation) cost more than the rest of the write.
//
// Failure handling: if the combined write fails, each mutation of the group
// is retried alone, in order, so one bad mutation does not fail the others;
// each `done` gets its own mutation's result (StorageError carrying the
// RocksDB message on failure).
//
// Recovery: a failed write (e.g. no space left) may leave RocksDB in its
// background-error state, refusing every later write. The writer then marks
// itself degraded and runs DB::Resume() on a thread of its own (at most every
// kResumeInterval), never on the writer thread: Resume() waits for running
// flushes and compactions, and a compaction that failed for lack of space
// sleeps a second before it gives its slot back, so a Resume() on the writer
// thread made every write of a full disk wait seconds instead of failing.
// While degraded, groups fail at once with the last error and nothing is
// written, so recovery never races a write. Resume() flushes the memtables and
// starts a new WAL, so later writes never follow a torn record of the failed
// one. Once a Resume() succeeded, the next group is written.
//
// Stalls: RocksDB stops writes while flushes are behind (both memtables
// full) and waits for them inside DB::Write, without end if the flush cannot
// run. The writer writes with `no_slowdown` and waits itself, polling, at most
// kMaxStall per write; then the write fails (the group's requests get an
// error instead of no answer), the writer turns degraded and the next group
// first tries DB::Resume(). A merely delayed write (RocksDB pacing writes)
// passes as the pacing allows.
//
// Thread safety: Submit() and Stop() may be called from any thread. `done`
// runs on the writer thread and must neither block nor call Stop().
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/status.h"
#include "store/store.h"
#include "store/rocksdb/write_ops.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Status;
class WriteBatch;
struct WriteOptions;
}  // namespace rocksdb

namespace riffle::store::rocksdb_store {

// Makes every write so far durable with one synced write (the store format
// version key rewritten with its own value): a synced write syncs every live
// WAL file up to itself. Used instead of DB::SyncWAL()/FlushWAL(true), which
// depend on the file's IsSyncThreadSafe() and, in assertion-enabled RocksDB
// builds (Debian's), abort after an earlier WAL write error.
Status SyncWalWithWrite(rocksdb::DB* db);

class Writer {
 public:
  // Upper bound of the key+value bytes put in one group WriteBatch (a single
  // larger mutation still goes alone).
  static constexpr size_t kMaxGroupBytes = 64 << 20;
  // Least time between two DB::Resume() attempts while degraded.
  static constexpr std::chrono::milliseconds kResumeInterval{200};
  // Longest wait of one write for RocksDB to accept writes again.
  static constexpr std::chrono::milliseconds kMaxStall{5000};

  // `db` and the handles (indexed by Cf) must outlive the writer.
  Writer(rocksdb::DB* db, std::array<rocksdb::ColumnFamilyHandle*, kNumCfs> cfs, SyncPolicy policy,
         std::chrono::milliseconds sync_interval = std::chrono::milliseconds(1000), bool write_wal = true);
  ~Writer();  // Stop()s

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a mutation; `done` runs on the writer thread once it is written
  // (and synced per the policy) or failed. Returns false, without queuing or
  // running `done`, once Stop() began.
  bool Submit(PreparedMutation mutation, std::function<void(Status)> done);

  // Stops accepting (later Submits fail at once), applies every queued
  // mutation, joins the thread. Idempotent.
  void Stop();

  // False while the last write failed and RocksDB has not recovered yet
  // (writes fail until it does). Any thread.
  bool healthy() const { return !degraded_flag_.load(std::memory_order_relaxed); }

  // Latency of writes and syncs, stalls and failures so far. Any thread.
  Store::WriteStats Stats() const;

 private:
  struct Pending {
    PreparedMutation mutation;
    std::function<void(Status)> done;
  };

  void Run();
  void CommitGroup(std::deque<Pending>& group);
  Status Write(const std::deque<Pending>& group, size_t begin, size_t end);
  void SyncWal();  // kInterval: makes every write so far durable
  // While degraded: takes the result of a finished DB::Resume(), or starts
  // one when due; false (and *error set) if writes must still fail.
  bool Recover(Status* error);
  void StartResume();  // writer thread, no Resume() running
  void MarkDegraded(const Status& error);
  // db_->Write with `no_slowdown`, retried while RocksDB stalls writes, for at
  // most kMaxStall; sets stalled_ when it gave up.
  rocksdb::Status WriteThroughStalls(rocksdb::WriteOptions options, rocksdb::WriteBatch* batch);

  rocksdb::DB* const db_;
  const std::array<rocksdb::ColumnFamilyHandle*, kNumCfs> cfs_;
  const SyncPolicy policy_;
  const std::chrono::milliseconds sync_interval_;
  const bool write_wal_;
  // kInterval, writer thread only: unsynced writes exist; sync them by next_sync_.
  bool dirty_ = false;
  std::chrono::steady_clock::time_point next_sync_;
  // Writer thread only: a write failed; Resume() before the next one.
  bool degraded_ = false;
  std::atomic<bool> degraded_flag_{false};  // degraded_, readable from any thread
  bool stalled_ = false;  // the last write gave up waiting out a stall
  Status degraded_error_;
  std::chrono::steady_clock::time_point next_resume_;

  // The DB::Resume() of a degraded writer, on its own thread.
  std::mutex resume_mu_;
  bool resume_running_ = false;   // guarded by resume_mu_
  bool resume_finished_ = false;  // guarded by resume_mu_: result not taken yet
  Status resume_result_;          // guarded by resume_mu_
  std::thread resume_thread_;     // writer thread and Stop() only

  // Measured on the writer thread, read by Stats() from any.
  LatencyHistogram write_latency_;
  LatencyHistogram sync_latency_;
  std::atomic<uint64_t> stalls_{0};
  std::atomic<uint64_t> stall_us_{0};
  std::atomic<uint64_t> failed_writes_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::once_flag join_once_;
  std::thread thread_;
};

}  // namespace riffle::store::rocksdb_store
