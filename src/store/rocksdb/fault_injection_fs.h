// FaultInjectionFs: a RocksDB FileSystem for tests that simulates a power cut.
// Test-only (header-only, included by *_test.cc; not part of riffle_store).
//
// Modelled on LevelDB's fault_injection_test: it wraps a real FileSystem and
// remembers, for every file written through it, how many bytes were written
// and how many of them a Sync()/Fsync() made durable. CutPower() then does
// what losing power does to the page cache:
//   - every tracked file is truncated to its last synced size;
//   - a file created through it and never synced is deleted;
//   - from then on every write, sync, create, rename or delete fails with an
//     IOError ("power is off"), so the DB still open on it cannot make
//     anything durable afterwards (close it, then Restore() and reopen).
// Simplifications: directory entries (creates, renames, deletes) are
// treated as durable at once; RangeSync (sync_file_range) is not a sync.
//
// Use: auto fs = std::make_shared<FaultInjectionFs>(FileSystem::Default());
//      std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace riffle::store::rocksdb_store::testing {

class FaultInjectionFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultInjectionFs(const std::shared_ptr<rocksdb::FileSystem>& target)
      : rocksdb::FileSystemWrapper(target) {}

  static const char* kClassName() { return "RiffleFaultInjectionFs"; }
  const char* Name() const override { return kClassName(); }

  // Drops every unsynced byte and turns the power off (see above).
  void CutPower() {
    std::lock_guard lock(mu_);
    powered_ = false;
    for (const auto& [name, state] : files_) {
      std::error_code ec;
      if (state.created && !state.ever_synced) {
        std::filesystem::remove(name, ec);
      } else if (std::filesystem::exists(name, ec)) {
        std::filesystem::resize_file(name, state.synced, ec);
      }
      dropped_bytes_ += state.size > state.synced ? state.size - state.synced : 0;
    }
    files_.clear();
  }

  // Power back on: a fresh boot with nothing unsynced.
  void Restore() {
    std::lock_guard lock(mu_);
    powered_ = true;
    files_.clear();
  }

  // Bytes CutPower() threw away (for test diagnostics).
  uint64_t dropped_bytes() const {
    std::lock_guard lock(mu_);
    return dropped_bytes_;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (!powered()) return Off();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, options, &file, dbg);
    if (!s.ok()) return s;
    Track(f, /*created=*/true, 0);
    *r = std::make_unique<File>(std::move(file), this, f);
    return s;
  }

  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    if (!powered()) return Off();
    std::error_code ec;
    const bool created = !std::filesystem::exists(f, ec);
    const uint64_t existing = created ? 0 : std::filesystem::file_size(f, ec);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, options, &file, dbg);
    if (!s.ok()) return s;
    Track(f, created, existing);
    *r = std::make_unique<File>(std::move(file), this, f);
    return s;
  }

  rocksdb::IOStatus ReuseWritableFile(const std::string&, const std::string&, const rocksdb::FileOptions&,
                                      std::unique_ptr<rocksdb::FSWritableFile>*,
                                      rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("FaultInjectionFs: no file reuse");
  }

  rocksdb::IOStatus NewRandomRWFile(const std::string&, const rocksdb::FileOptions&,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>*,
                                    rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("FaultInjectionFs: no random-write files");
  }

  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (!powered()) return Off();
    rocksdb::IOStatus s = target()->DeleteFile(f, options, dbg);
    if (s.ok()) {
      std::lock_guard lock(mu_);
      files_.erase(f);
    }
    return s;
  }

  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (!powered()) return Off();
    rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
    if (s.ok()) {
      std::lock_guard lock(mu_);
      files_.erase(to);
      auto it = files_.find(from);
      if (it != files_.end()) {
        files_[to] = it->second;
        files_.erase(from);
      }
    }
    return s;
  }

  rocksdb::IOStatus LinkFile(const std::string&, const std::string&, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("FaultInjectionFs: no hard links");
  }

  rocksdb::IOStatus CreateDir(const std::string& d, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (!powered()) return Off();
    return target()->CreateDir(d, options, dbg);
  }

  rocksdb::IOStatus CreateDirIfMissing(const std::string& d, const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
    if (!powered()) return Off();
    return target()->CreateDirIfMissing(d, options, dbg);
  }

  rocksdb::IOStatus Truncate(const std::string& f, size_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    if (!powered()) return Off();
    rocksdb::IOStatus s = target()->Truncate(f, size, options, dbg);
    if (s.ok()) Resized(f, size);
    return s;
  }

 private:
  struct FileState {
    bool created = false;      // created through this FS (deleted at a cut if never synced)
    bool ever_synced = false;
    uint64_t size = 0;         // bytes written
    uint64_t synced = 0;       // bytes durable
  };

  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, FaultInjectionFs* fs, std::string name)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      std::lock_guard lock(fs_->mu_);  // a cut is atomic with respect to writes
      if (!fs_->powered_) return Off();
      rocksdb::IOStatus s = target()->Append(data, options, dbg);
      if (s.ok()) fs_->files_[name_].size += data.size();
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo&, rocksdb::IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const rocksdb::IOOptions&,
                                       rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::NotSupported("FaultInjectionFs: no positioned appends");
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const rocksdb::IOOptions&,
                                       const rocksdb::DataVerificationInfo&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::NotSupported("FaultInjectionFs: no positioned appends");
    }
    rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
      std::lock_guard lock(fs_->mu_);
      if (!fs_->powered_) return Off();
      rocksdb::IOStatus s = target()->Truncate(size, options, dbg);
      if (s.ok()) {
        FileState& st = fs_->files_[name_];
        st.size = size;
        st.synced = std::min<uint64_t>(st.synced, size);
      }
      return s;
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      if (!fs_->powered()) return Off();
      return target()->Flush(options, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      const uint64_t covered = WrittenSoFar();
      return Synced(covered, target()->Sync(options, dbg));
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      const uint64_t covered = WrittenSoFar();
      return Synced(covered, target()->Fsync(options, dbg));
    }
    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
      if (!fs_->powered()) return Off();
      return target()->RangeSync(offset, nbytes, options, dbg);  // not a durability point
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      return target()->Close(options, dbg);  // closing does not make anything durable
    }
    // false: RocksDB then serialises syncs with appends, and DB::SyncWAL()
    // fails (NotSupported) instead of syncing; Riffle never relies on it
    // (writer.h SyncWalWithWrite), so a regression to it fails these tests.
    bool IsSyncThreadSafe() const override { return false; }

   private:
    uint64_t WrittenSoFar() {
      std::lock_guard lock(fs_->mu_);
      return fs_->files_[name_].size;
    }
    // A sync covers what was written when it started. A cut that comes before
    // the bookkeeping wins: the sync then reports failure (nothing is
    // acknowledged on it) and its bytes are dropped.
    rocksdb::IOStatus Synced(uint64_t covered, rocksdb::IOStatus s) {
      std::lock_guard lock(fs_->mu_);
      if (!fs_->powered_) return Off();
      if (s.ok()) {
        FileState& st = fs_->files_[name_];
        st.synced = std::max(st.synced, std::min(covered, st.size));
        st.ever_synced = true;
      }
      return s;
    }
    FaultInjectionFs* const fs_;
    const std::string name_;
  };

  static rocksdb::IOStatus Off() { return rocksdb::IOStatus::IOError("power is off (FaultInjectionFs)"); }

  bool powered() const {
    std::lock_guard lock(mu_);
    return powered_;
  }
  void Track(const std::string& f, bool created, uint64_t existing) {
    std::lock_guard lock(mu_);
    FileState st;
    st.created = created;
    st.ever_synced = !created;
    st.size = existing;
    st.synced = existing;
    files_[f] = st;
  }
  void Resized(const std::string& f, uint64_t size) {
    std::lock_guard lock(mu_);
    auto it = files_.find(f);
    if (it == files_.end()) return;
    it->second.size = size;
    it->second.synced = std::min(it->second.synced, size);
  }

  mutable std::mutex mu_;
  bool powered_ = true;                   // guarded by mu_
  std::map<std::string, FileState> files_;  // guarded by mu_; by path
  uint64_t dropped_bytes_ = 0;            // guarded by mu_
};

}  // namespace riffle::store::rocksdb_store::testing
