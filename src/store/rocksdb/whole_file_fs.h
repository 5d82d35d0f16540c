// WholeFileFs: the memory filesystem under the in-memory store, writing each
// table file in one piece.
//
// RocksDB's memory Env keeps a file as one std::string and appends every
// write to it, so a table file grows by reallocation: each byte of a flush or
// compaction output is copied about twice more, into fresh memory that costs
// a page fault per 4 KiB (on this project's VMs, the largest cost of an
// in-memory PutRecords). WholeFileFs wraps that filesystem: a table file
// (name ending in ".sst") opened for writing collects its appends in one
// buffer, reserved at RocksDB's preallocation size, and hands them to the
// memory file in a single append when the file is synced, truncated or
// closed. RocksDB syncs and closes a table file before it reads it, and
// asks its size only through the writer (which counts the buffer). Every
// other file and call goes straight to the wrapped filesystem.
//
// The buffers are kept for the next table files (at most kKeptBuffers, one
// per background flush or compaction), so collecting does not touch fresh
// memory either; they stay allocated while the store is open.
//
// Thread safety: as the wrapped filesystem; one writable file is used by one
// thread at a time (as RocksDB does).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <rocksdb/file_system.h>

namespace riffle::store::rocksdb_store {

// Buffers handed from one table file to the next. Thread-safe.
class BufferPool {
 public:
  static constexpr size_t kKeptBuffers = 2;
  // An empty string, with the capacity of a kept buffer if there is one.
  std::string Take();
  // Keeps `buffer` (cleared) for a later Take(), or frees it.
  void Give(std::string buffer);

 private:
  std::mutex mu_;
  std::vector<std::string> free_;  // guarded by mu_
};

class WholeFileFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit WholeFileFs(const std::shared_ptr<rocksdb::FileSystem>& target)
      : rocksdb::FileSystemWrapper(target), buffers_(std::make_shared<BufferPool>()) {}

  static const char* kClassName() { return "RiffleWholeFileFs"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;

 private:
  std::shared_ptr<BufferPool> buffers_;  // shared with the open files
};

}  // namespace riffle::store::rocksdb_store
