#include "store/rocksdb/space_reclaimer.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>

#include <utility>

namespace riffle::store::rocksdb_store {

SpaceReclaimer::SpaceReclaimer(rocksdb::DB* db) : db_(db), thread_([this] { Run(); }) {}

SpaceReclaimer::~SpaceReclaimer() { Stop(); }

void SpaceReclaimer::Reclaim(rocksdb::ColumnFamilyHandle* cf, std::string begin, std::string end,
                             bool compact) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back({cf, std::move(begin), std::move(end), compact});
  }
  cv_.notify_all();
}

void SpaceReclaimer::WaitIdle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_ || (queue_.empty() && !busy_); });
}

void SpaceReclaimer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SpaceReclaimer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    Range range = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    // Failures only delay the reclaim to a later compaction: nothing to report.
    rocksdb::Slice begin(range.begin), end(range.end);
    rocksdb::DeleteFilesInRange(db_, range.cf, &begin, &end, /*include_end=*/false).PermitUncheckedError();
    if (range.compact) {
      rocksdb::CompactRangeOptions options;
      options.exclusive_manual_compaction = false;  // regular compactions go on meanwhile
      db_->CompactRange(options, range.cf, &begin, &end).PermitUncheckedError();
    }
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
  busy_ = false;
  cv_.notify_all();
}

}  // namespace riffle::store::rocksdb_store
