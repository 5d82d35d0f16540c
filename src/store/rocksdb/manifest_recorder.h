// ManifestRecorder: keeps DATA_DIR/RIFFLE-MANIFEST-MARK (manifest_mark.h) up
// to date as RocksDB appends to its MANIFEST.
//
// RocksDB appends to the MANIFEST (and syncs it) when a flush or compaction
// installs new table files; it starts a new MANIFEST at every open. The store
// calls Record() after opening and before closing, and this listener calls it
// after every completed flush and compaction. Nothing is recorded before
// Arm() (so never during DB::Open, nor for a database the store then refuses). Each call asks RocksDB for its current MANIFEST and the size it
// has synced (DB::GetLiveFiles) and replaces the mark when that is newer
// than the last one written. The mark therefore never claims more than was
// synced, so no crash or power cut can make the check refuse a directory;
// it lags by at most the flush or compaction in progress (or one that
// commits while RocksDB shuts down, which RocksDB does not report).
//
// Thread-safe: calls are serialised, and each reads RocksDB's state under
// that serialisation, so a later write never records an older state.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <rocksdb/listener.h>

#include "base/status.h"
#include "store/rocksdb/manifest_mark.h"

namespace rocksdb {
class DB;
class FileSystem;
class Logger;
}  // namespace rocksdb

namespace riffle::store::rocksdb_store {

class ManifestRecorder final : public rocksdb::EventListener {
 public:
  // `info_log` (may be null) gets a line when a mark cannot be written.
  ManifestRecorder(std::shared_ptr<rocksdb::FileSystem> fs, std::string dir,
                   std::shared_ptr<rocksdb::Logger> info_log);

  const char* Name() const override { return "RiffleManifestRecorder"; }
  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  void OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;

  // Lets Record() write (call once DB::Open has returned and the store is
  // known to be Riffle's).
  void Arm() { armed_ = true; }

  // Records `db`'s current MANIFEST and synced size if newer than the last
  // mark written; nothing before Arm(). A failure leaves the previous mark
  // (which understates).
  Status Record(rocksdb::DB* db);

  // The last mark written, if any (for tests).
  std::optional<ManifestMark> last() const;

 private:
  void RecordFromCallback(rocksdb::DB* db) noexcept;

  const std::shared_ptr<rocksdb::FileSystem> fs_;
  const std::string dir_;
  const std::shared_ptr<rocksdb::Logger> info_log_;
  std::atomic<bool> armed_{false};
  mutable std::mutex mu_;
  std::optional<ManifestMark> last_;  // guarded by mu_
};

}  // namespace riffle::store::rocksdb_store
