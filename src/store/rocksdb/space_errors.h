// SpaceErrorListener: lets writes resume after a file could not grow.
//
// RocksDB ranks a failed write-ahead-log write as a fatal background error,
// which DB::Resume() refuses to clear, unless the error is "no space" (a hard
// error: Resume() flushes every memtable and starts a new log, so nothing
// later follows the torn record). A file that hit the size limit (EFBIG,
// "File too large": RLIMIT_FSIZE or the file system's largest file) is the
// same situation as a full disk, so this listener gives such errors the hard
// severity too. Other errors keep RocksDB's ranking.
#pragma once

#include <rocksdb/listener.h>

namespace riffle::store::rocksdb_store {

class SpaceErrorListener final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "RiffleSpaceErrorListener"; }
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* bg_error) override;
};

}  // namespace riffle::store::rocksdb_store
