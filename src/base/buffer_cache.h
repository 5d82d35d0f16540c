// BufferCache: large byte buffers kept for reuse from one request to the next.
//
// A 10 MiB GetRecords page is copied out of the store and encoded into a
// ~13 MiB response. Handed back to the allocator after every request, such
// buffers are returned to the system and the next request page-faults them
// in again, which on virtual machines costs more than the copying and encoding
// themselves (docs/performance-notes.md). Buffers given back here go to the
// next large request instead. The cache holds at most kMaxBuffers buffers and
// kMaxBytes bytes; DropIdle() frees buffers nobody took for a while, so an
// idle server holds none.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace riffle {

class BufferCache {
 public:
  // Smaller buffers are left to the allocator, which keeps those itself.
  static constexpr size_t kMinCapacity = 256 << 10;
  static constexpr size_t kMaxBuffers = 16;
  static constexpr size_t kMaxBytes = 96 << 20;

  // The process-wide cache.
  static BufferCache& Global() {
    static BufferCache cache;
    return cache;
  }

  // An empty string whose capacity is at least `capacity`: a cached buffer
  // when one is big enough (the smallest such), else a new one.
  std::string Take(size_t capacity) {
    std::string out;
    if (capacity >= kMinCapacity) {
      std::lock_guard lock(mu_);
      size_t best = free_.size();
      for (size_t i = 0; i < free_.size(); ++i) {
        if (free_[i].buffer.capacity() >= capacity &&
            (best == free_.size() || free_[i].buffer.capacity() < free_[best].buffer.capacity())) {
          best = i;
        }
      }
      if (best != free_.size()) {
        out = std::move(free_[best].buffer);
        bytes_ -= out.capacity();
        free_[best] = std::move(free_.back());
        free_.pop_back();
      }
    }
    out.clear();
    out.reserve(capacity);
    return out;
  }

  // Keeps `buffer`'s memory for a later Take() if it is large and the cache
  // has room; frees it otherwise.
  void Give(std::string&& buffer) {
    const size_t capacity = buffer.capacity();
    if (capacity < kMinCapacity) return;
    std::lock_guard lock(mu_);
    if (free_.size() >= kMaxBuffers || bytes_ + capacity > kMaxBytes) return;
    buffer.clear();
    free_.push_back({std::move(buffer), NowMs()});
    bytes_ += capacity;
  }

  // Frees the buffers given back more than `idle_ms` ago.
  void DropIdle(int64_t idle_ms) {
    std::vector<std::string> dropped;  // freed outside the lock
    const int64_t now = NowMs();
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < free_.size();) {
      if (now - free_[i].given_ms >= idle_ms) {
        bytes_ -= free_[i].buffer.capacity();
        dropped.push_back(std::move(free_[i].buffer));
        free_[i] = std::move(free_.back());
        free_.pop_back();
      } else {
        ++i;
      }
    }
  }

  // Bytes of memory the cache holds.
  size_t bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
  }

 private:
  struct Entry {
    std::string buffer;
    int64_t given_ms = 0;
  };
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  mutable std::mutex mu_;
  std::vector<Entry> free_;
  size_t bytes_ = 0;
};

}  // namespace riffle
