#include "store/rocksdb/manifest_recorder.h"

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace riffle::store::rocksdb_store {

ManifestRecorder::ManifestRecorder(std::shared_ptr<rocksdb::FileSystem> fs, std::string dir,
                                   std::shared_ptr<rocksdb::Logger> info_log)
    : fs_(std::move(fs)), dir_(std::move(dir)), info_log_(std::move(info_log)) {}

void ManifestRecorder::OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& /*info*/) {
  RecordFromCallback(db);
}

void ManifestRecorder::OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& /*info*/) {
  RecordFromCallback(db);
}

void ManifestRecorder::RecordFromCallback(rocksdb::DB* db) noexcept {
  try {
    Status s = Record(db);
    if (!s.ok() && info_log_) {
      rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, info_log_, "riffle: %s", s.message().c_str());
    }
  } catch (const std::exception&) {  // nothing may propagate into RocksDB
  }
}

Status ManifestRecorder::Record(rocksdb::DB* db) {
  if (!armed_) return Status::Ok();
  std::lock_guard lock(mu_);
  std::vector<std::string> files;
  uint64_t synced = 0;
  rocksdb::Status s = db->GetLiveFiles(files, &synced, /*flush_memtable=*/false);
  if (!s.ok()) return Status::StorageError("cannot list the store's live files: " + s.ToString());
  std::optional<uint64_t> number;
  for (const std::string& name : files) {
    if ((number = ParseManifestName(name))) break;
  }
  if (!number) return Status::StorageError("RocksDB named no MANIFEST among its live files");
  const ManifestMark mark{*number, synced};
  if (last_ && !IsNewer(mark, *last_)) return Status::Ok();
  RIFFLE_RETURN_IF_ERROR(WriteManifestMark(fs_.get(), dir_, mark));
  last_ = mark;
  return Status::Ok();
}

std::optional<ManifestMark> ManifestRecorder::last() const {
  std::lock_guard lock(mu_);
  return last_;
}

}  // namespace riffle::store::rocksdb_store
