#include "store/memory/record_slab.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>

namespace riffle::store::memory {
namespace {

TEST(RecordSlabTest, FillsAChunkInOrderThenGrowsTheNext) {
  RecordSlab slab;
  RecordSlab::Span a = slab.Reserve(1000);
  RecordSlab::Span b = slab.Reserve(1000);
  EXPECT_EQ(a.chunk, b.chunk);
  EXPECT_EQ(b.at, a.at + 1000);
  EXPECT_EQ(a.chunk->size(), RecordSlab::kFirstChunk);
  // 2,096 bytes left in the first chunk: the next one is twice its size.
  RecordSlab::Span c = slab.Reserve(3000);
  EXPECT_NE(c.chunk, a.chunk);
  EXPECT_EQ(c.chunk->size(), 2 * RecordSlab::kFirstChunk);
  std::memset(c.at, 'x', 3000);  // writable
}

TEST(RecordSlabTest, ChunksStopGrowingAtTheMaximumAndLargeOnesAreHugePageAligned) {
  RecordSlab slab;
  size_t largest = 0;
  for (int i = 0; i < 40; ++i) largest = std::max(largest, slab.Reserve(RecordSlab::kFirstChunk << 6).chunk->size());
  EXPECT_EQ(largest, RecordSlab::kMaxChunk);
  RecordSlab::Span big = slab.Reserve(RecordSlab::kMaxChunk);
  ASSERT_TRUE(big.chunk->mapped());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.chunk->data()) % (2 << 20), 0u);
  std::memset(big.at, 'y', RecordSlab::kMaxChunk);
}

TEST(RecordSlabTest, ABatchLargerThanTheMaximumGetsAChunkOfItsOwn) {
  RecordSlab slab;
  const size_t size = RecordSlab::kMaxChunk + 12345;
  RecordSlab::Span span = slab.Reserve(size);
  EXPECT_GE(span.chunk->size(), size);
  EXPECT_EQ(span.at, span.chunk->data());
  std::memset(span.at, 'z', size);
  // The next small batch still fits behind it or in a new chunk; never overlaps.
  RecordSlab::Span next = slab.Reserve(10);
  EXPECT_TRUE(next.chunk != span.chunk || next.at >= span.at + size);
}

TEST(RecordSlabTest, AChunkOutlivesTheSlabWhileABatchHoldsIt) {
  std::shared_ptr<SlabChunk> kept;
  char* at = nullptr;
  {
    RecordSlab slab;
    RecordSlab::Span span = slab.Reserve(100);
    std::memcpy(span.at, "still here", 10);
    kept = span.chunk;
    at = span.at;
  }
  EXPECT_EQ(std::string(at, 10), "still here");
}

}  // namespace
}  // namespace riffle::store::memory
