// ByteArena: copies of byte strings in a few large chunks.
//
// A read that returns thousands of small payloads copies each into the arena
// once instead of allocating one string per payload. The views Copy() hands
// out stay valid until the arena is destroyed; moving the arena keeps them
// valid (the chunks themselves never move). Chunks of a megabyte or more come
// from and go back to BufferCache. An arena can also keep alive buffers it
// did not copy (Keep), for views into them that travel with it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/buffer_cache.h"

namespace riffle {

class ByteArena {
 public:
  ByteArena() = default;
  ~ByteArena() { Release(); }
  ByteArena(ByteArena&& other) noexcept : chunks_(std::move(other.chunks_)), kept_(std::move(other.kept_)) {
    other.chunks_.clear();
    other.kept_.clear();
  }
  ByteArena& operator=(ByteArena&& other) noexcept {
    if (this != &other) {
      Release();
      chunks_ = std::move(other.chunks_);
      kept_ = std::move(other.kept_);
      other.chunks_.clear();
      other.kept_.clear();
    }
    return *this;
  }
  ByteArena(const ByteArena&) = delete;
  ByteArena& operator=(const ByteArena&) = delete;

  // A copy of `bytes` owned by the arena.
  std::string_view Copy(std::string_view bytes) {
    if (bytes.empty()) return {};
    if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < bytes.size()) {
      NewChunk(bytes.size());
    }
    // Appending within the capacity never reallocates: earlier views stay valid.
    std::string& chunk = chunks_.back();
    const size_t at = chunk.size();
    chunk.append(bytes);
    return {chunk.data() + at, bytes.size()};
  }

  // Keeps `owner` (whose bytes views are handed out elsewhere) alive as long
  // as the arena.
  void Keep(std::shared_ptr<const void> owner) { kept_.push_back(std::move(owner)); }

 private:
  // One byte short of the allocator's size classes (the string adds a NUL).
  static constexpr size_t kFirstChunk = (64 << 10) - 1;
  static constexpr size_t kChunk = (4 << 20) - 1;

  void Release() {
    for (std::string& chunk : chunks_) BufferCache::Global().Give(std::move(chunk));
    chunks_.clear();
    kept_.clear();
  }

  void NewChunk(size_t at_least) {
    size_t size = chunks_.empty() ? kFirstChunk : kChunk;
    if (size < at_least) size = at_least;
    // Chunks are never small strings, so moving them (when chunks_ grows)
    // keeps their bytes where they are.
    chunks_.push_back(BufferCache::Global().Take(size));
  }

  std::vector<std::string> chunks_;
  std::vector<std::shared_ptr<const void>> kept_;
};

}  // namespace riffle
