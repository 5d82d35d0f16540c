// RecordSlab: where one log of the memory store keeps its records' bytes.
//
// Every record an in-memory server keeps is memory new to the process, and
// on virtual machines the page faults that bring it in (one per 4 KiB, each
// zeroing a page) cost more than everything else a PutRecords does. The
// slab copies each batch's partition keys and data into chunks it fills in
// order; a chunk of 2 MiB or more is mapped on its own, aligned, and offered
// to the kernel for transparent huge pages (madvise MADV_HUGEPAGE), so it
// faults once per 2 MiB. Chunks grow with the log, from 4 KiB to 4 MiB (a
// batch larger than that gets a chunk of its size), so a log holding one
// record holds 4 KiB; only the current chunk's unused tail is spare.
//
// A chunk lives as long as a batch in it does (the batch holds a reference):
// trimming a log's oldest batches frees its oldest chunks, and a read whose
// records view a batch keeps it, and so its chunk.
//
// Thread safety: Copy() is called under the log's lock; chunks are immutable
// where batches point.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace riffle::store::memory {

class SlabChunk {
 public:
  explicit SlabChunk(size_t size);
  ~SlabChunk();
  SlabChunk(const SlabChunk&) = delete;
  SlabChunk& operator=(const SlabChunk&) = delete;

  size_t size() const { return size_; }
  char* data() const { return data_; }
  // True when the bytes were mapped on their own (huge-page candidates).
  bool mapped() const { return mapped_; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  void* mapping_ = nullptr;  // what munmap frees (mapped_ only)
  size_t mapping_size_ = 0;
};

class RecordSlab {
 public:
  static constexpr size_t kFirstChunk = 4 << 10;
  static constexpr size_t kMaxChunk = 4 << 20;
  static constexpr size_t kMappedFrom = 2 << 20;

  // Room for `bytes` more bytes, all in one chunk: the chunk, and where in
  // it the caller writes them.
  struct Span {
    std::shared_ptr<SlabChunk> chunk;
    char* at = nullptr;
  };
  Span Reserve(size_t bytes);

 private:
  std::shared_ptr<SlabChunk> current_;
  size_t used_ = 0;         // of current_
  size_t next_size_ = kFirstChunk;
};

}  // namespace riffle::store::memory
