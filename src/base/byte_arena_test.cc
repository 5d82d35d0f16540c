#include "base/byte_arena.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/buffer_cache.h"

namespace riffle {
namespace {

std::string Bytes(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((seed * 131 + i * 7) & 0xff);
  return s;
}

TEST(ByteArenaTest, ViewsStayValidWhileItGrowsAndAfterAMove) {
  std::vector<std::string> originals;
  std::vector<std::string_view> views;
  ByteArena arena;
  // Many small copies, a few larger than a chunk, and empty ones.
  for (int i = 0; i < 20000; ++i) {
    size_t n = i % 997 == 0 ? (5 << 20) + i : (i % 7 == 0 ? 0 : static_cast<size_t>(i % 1500));
    originals.push_back(Bytes(n, i));
    views.push_back(arena.Copy(originals.back()));
  }
  ByteArena moved = std::move(arena);
  ByteArena assigned;
  assigned.Copy("replaced");
  assigned = std::move(moved);
  for (size_t i = 0; i < originals.size(); ++i) {
    ASSERT_EQ(views[i], originals[i]) << i;
  }
}

TEST(ByteArenaTest, KeepsWhatItIsGivenUntilItGoes) {
  auto owner = std::make_shared<std::string>("bytes viewed elsewhere");
  std::weak_ptr<std::string> watch = owner;
  ByteArena arena;
  arena.Keep(owner);
  owner.reset();
  ByteArena moved = std::move(arena);
  EXPECT_FALSE(watch.expired()) << "kept through a move";
  ByteArena assigned;
  assigned.Keep(std::make_shared<int>(1));
  assigned = std::move(moved);
  EXPECT_FALSE(watch.expired()) << "kept through an assignment";
  assigned = ByteArena();
  EXPECT_TRUE(watch.expired()) << "released with the arena's contents";
}

TEST(BufferCacheTest, ReusesGivenBuffersAndBoundsWhatItHolds) {
  BufferCache cache;
  std::string big = cache.Take(3 << 20);
  EXPECT_GE(big.capacity(), size_t{3} << 20);
  big.append("some bytes");
  const char* memory = big.data();
  cache.Give(std::move(big));
  EXPECT_GE(cache.bytes(), size_t{3} << 20);
  std::string again = cache.Take(2 << 20);  // the smallest buffer big enough
  EXPECT_EQ(again.data(), memory);
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(cache.bytes(), 0u);

  cache.Give(std::string(100, 'x'));  // small: left to the allocator
  EXPECT_EQ(cache.bytes(), 0u);
  for (size_t i = 0; i < BufferCache::kMaxBuffers + 4; ++i) cache.Give(cache.Take(BufferCache::kMinCapacity));
  EXPECT_LE(cache.bytes(), BufferCache::kMaxBytes);
  std::vector<std::string> held;
  for (size_t i = 0; i < BufferCache::kMaxBuffers + 4; ++i) held.push_back(cache.Take(5 << 20));
  for (std::string& s : held) cache.Give(std::move(s));
  EXPECT_LE(cache.bytes(), BufferCache::kMaxBytes);
  cache.DropIdle(0);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace riffle
