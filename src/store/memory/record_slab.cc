#include "store/memory/record_slab.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace riffle::store::memory {
namespace {

constexpr size_t kHugePage = 2 << 20;

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

SlabChunk::SlabChunk(size_t size) : size_(size) {
  if (size >= RecordSlab::kMappedFrom) {
    // Mapped with a huge page of slack, then cut to a 2 MiB boundary: only
    // aligned 2 MiB ranges can be backed by huge pages.
    const size_t length = RoundUp(size, kHugePage);
    const size_t padded = length + kHugePage;
    void* p = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      const uintptr_t base = reinterpret_cast<uintptr_t>(p);
      const uintptr_t aligned = RoundUp(base, kHugePage);
      if (aligned > base) munmap(p, aligned - base);
      const uintptr_t end = base + padded;
      if (end > aligned + length) munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
      mapping_ = reinterpret_cast<void*>(aligned);
      mapping_size_ = length;
      data_ = static_cast<char*>(mapping_);
      mapped_ = true;
#ifdef MADV_HUGEPAGE
      madvise(mapping_, mapping_size_, MADV_HUGEPAGE);  // a hint: without it, plain pages
#endif
      return;
    }
  }
  data_ = new char[size];  // throws std::bad_alloc as any allocation would
}

SlabChunk::~SlabChunk() {
  if (mapped_) {
    munmap(mapping_, mapping_size_);
  } else {
    delete[] data_;
  }
}

RecordSlab::Span RecordSlab::Reserve(size_t bytes) {
  if (!current_ || current_->size() - used_ < bytes) {
    size_t size = std::max(next_size_, bytes);
    if (size > kMaxChunk && bytes <= kMaxChunk) size = kMaxChunk;
    current_ = std::make_shared<SlabChunk>(size);
    used_ = 0;
    next_size_ = std::min(next_size_ * 2, kMaxChunk);
  }
  Span span{current_, current_->data() + used_};
  used_ += bytes;
  return span;
}

}  // namespace riffle::store::memory
