// InfoLog: RocksDB's informational log (DATA_DIR/LOG), written with plain
// stdio instead of RocksDB's own file logger.
//
// RocksDB's logger writes through a WritableFileWriter; once one of its
// writes failed (a full disk), the next one trips an assertion in
// assertion-enabled RocksDB builds (Debian's) and aborts the process, and the
// next write RocksDB logs is the very error report of the failed data write.
// This logger ignores its own write errors instead: a full disk costs log
// lines, never the process. It keeps at most two files, LOG and LOG.old,
// switching when LOG passes `max_bytes`.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <rocksdb/env.h>

namespace riffle::store::rocksdb_store {

class InfoLog final : public rocksdb::Logger {
 public:
  InfoLog(std::string dir, size_t max_bytes);
  ~InfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;

 private:
  rocksdb::Status CloseImpl() override;
  void OpenLocked();  // REQUIRES: mu_ held

  const std::string path_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;  // guarded by mu_; nullptr when it could not be opened
  size_t size_ = 0;            // guarded by mu_
};

}  // namespace riffle::store::rocksdb_store
