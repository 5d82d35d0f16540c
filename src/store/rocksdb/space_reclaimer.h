// SpaceReclaimer: gives the disk space of deleted records back.
//
// Deleting records (a deleted stream's shards, records trimmed past their
// retention) writes range tombstones; the table files that hold the records
// stay on disk until a compaction covers them, which for a deleted stream may
// be never (nothing is written to its keys again). The reclaimer's thread
// takes each deleted key range soon after its deletion: table files entirely
// inside the range are dropped at once (DeleteFilesInRange), and, for ranges
// queued with `compact`, the rest is compacted (CompactRange) so records
// sharing files with other keys go as well.
//
// Safe only for ranges no key will ever be written into again: Riffle's
// deleted shards (their stream incarnation is never reused) and trimmed
// counters (a shard only appends above them).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace riffle::store::rocksdb_store {

class SpaceReclaimer {
 public:
  // `db` and the column family handles queued must outlive Stop().
  explicit SpaceReclaimer(rocksdb::DB* db);
  ~SpaceReclaimer();  // Stop()s
  SpaceReclaimer(const SpaceReclaimer&) = delete;
  SpaceReclaimer& operator=(const SpaceReclaimer&) = delete;

  // Queues [begin, end) of `cf`; returns at once. Thread-safe.
  void Reclaim(rocksdb::ColumnFamilyHandle* cf, std::string begin, std::string end, bool compact);

  // Blocks until every range queued before the call was handled (tests).
  void WaitIdle();

  // Drops what is still queued (the next start's deletions are not needed:
  // space is reclaimed by compactions over time), waits for the range in
  // progress, joins the thread. Idempotent.
  void Stop();

 private:
  struct Range {
    rocksdb::ColumnFamilyHandle* cf;
    std::string begin;
    std::string end;
    bool compact;
  };
  void Run();

  rocksdb::DB* db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Range> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace riffle::store::rocksdb_store
