#include "store/rocksdb/whole_file_fs.h"

#include <string>
#include <string_view>
#include <utility>

namespace riffle::store::rocksdb_store {
namespace {

// Reserved for a table file whose writer named no preallocation size.
constexpr size_t kDefaultReserve = 1 << 20;

class WholeFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  WholeFile(std::unique_ptr<rocksdb::FSWritableFile> target, std::shared_ptr<BufferPool> buffers)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), buffers_(std::move(buffers)) {}

  ~WholeFile() override {
    Push(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
    if (buffered_) buffers_->Give(std::move(pending_));
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {
    Collect(data);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                           const rocksdb::DataVerificationInfo&, rocksdb::IODebugContext*) override {
    Collect(data);
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Push(options, dbg);
    return s.ok() ? target()->PositionedAppend(data, offset, options, dbg) : s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Push(options, dbg);
    return s.ok() ? target()->PositionedAppend(data, offset, options, info, dbg) : s;
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Push(options, dbg);
    return s.ok() ? target()->Truncate(size, options, dbg) : s;
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Push(options, dbg);
    return s.ok() ? target()->Close(options, dbg) : s;
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();  // memory: nothing to hand to an OS
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Push(options, dbg);
    return s.ok() ? target()->Sync(options, dbg) : s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = Push(options, dbg);
    return s.ok() ? target()->Fsync(options, dbg) : s;
  }
  rocksdb::IOStatus RangeSync(uint64_t, uint64_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();  // bytes_per_sync: not a durability point
  }
  uint64_t GetFileSize(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return target()->GetFileSize(options, dbg) + pending_.size();
  }
  void SetPreallocationBlockSize(size_t size) override {
    reserve_ = size;
    target()->SetPreallocationBlockSize(size);
  }
  void PrepareWrite(size_t, size_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {}
  rocksdb::IOStatus Allocate(uint64_t, uint64_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }

 private:
  void Collect(const rocksdb::Slice& data) {
    if (!buffered_) {
      pending_ = buffers_->Take();
      pending_.reserve(reserve_ > 0 ? reserve_ : kDefaultReserve);
      buffered_ = true;
    }
    pending_.append(data.data(), data.size());
  }

  // Hands the collected bytes to the wrapped file in one append.
  rocksdb::IOStatus Push(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
    if (pending_.empty()) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus s = target()->Append(rocksdb::Slice(pending_), options, dbg);
    if (!s.ok()) return s;
    buffers_->Give(std::move(pending_));  // a table file is pushed once
    pending_ = std::string();
    buffered_ = false;
    return s;
  }

  std::shared_ptr<BufferPool> buffers_;
  std::string pending_;
  bool buffered_ = false;  // pending_ is a buffer taken from buffers_
  size_t reserve_ = 0;
};

bool IsTableFile(std::string_view name) {
  constexpr std::string_view kSuffix = ".sst";
  return name.size() >= kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix;
}

}  // namespace

std::string BufferPool::Take() {
  std::lock_guard lock(mu_);
  if (free_.empty()) return {};
  std::string buffer = std::move(free_.back());
  free_.pop_back();
  return buffer;
}

void BufferPool::Give(std::string buffer) {
  buffer.clear();
  std::lock_guard lock(mu_);
  if (free_.size() < kKeptBuffers) free_.push_back(std::move(buffer));
}

rocksdb::IOStatus WholeFileFs::NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                               std::unique_ptr<rocksdb::FSWritableFile>* result,
                                               rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
  if (!s.ok() || !IsTableFile(name)) {
    *result = std::move(file);
    return s;
  }
  *result = std::make_unique<WholeFile>(std::move(file), buffers_);
  return s;
}

}  // namespace riffle::store::rocksdb_store
