#include "core/shard_limit_lock.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "core/byte_codec.h"

namespace riffle::core {
namespace {

constexpr char kLockVersion = 1;

std::string EncodeLock(int64_t taken_ms) {
  std::string out(1, kLockVersion);
  PutI64(out, taken_ms);
  return out;
}

// When the lock was taken; 0 (stale at once) for a value this node cannot read.
int64_t DecodeLock(const std::string& value) {
  ByteReader in(value);
  if (in.U8() != kLockVersion) return 0;
  int64_t ms = in.I64();
  return in.ok() ? ms : 0;
}

StatusOr<uint64_t> WriteAndWait(store::Store& store, store::MetaWrite write) {
  std::promise<StatusOr<uint64_t>> written;
  store.WriteMeta(std::move(write), [&](StatusOr<uint64_t> r) { written.set_value(std::move(r)); });
  return written.get_future().get();
}

}  // namespace

ShardLimitLocks::Held::Held(ShardLimitLocks* locks, std::unique_lock<std::mutex> local, std::string key,
                            uint64_t revision)
    : locks_(locks), local_(std::move(local)), key_(std::move(key)), revision_(revision) {}

ShardLimitLocks::Held::Held(Held&& other) noexcept
    : locks_(other.locks_), local_(std::move(other.local_)), key_(std::move(other.key_)), revision_(other.revision_) {
  other.key_.clear();
}

void ShardLimitLocks::Held::Release() {
  if (!key_.empty()) locks_->Release(key_, revision_);
  key_.clear();
  if (local_.owns_lock()) local_.unlock();
}

StatusOr<ShardLimitLocks::Held> ShardLimitLocks::Acquire(const std::string& account, const std::string& region) {
  std::unique_lock<std::mutex> local(local_);
  if (!store_.Shared()) return Held(this, std::move(local), "", 0);
  const std::string key = "lock/shards/" + account + "/" + region;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
  auto pause = std::chrono::milliseconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto current = store_.GetMeta(key);
    if (!current.ok()) return current.status();
    const int64_t now = clock_.NowMs();
    uint64_t expected = store::kMustNotExist;
    if (*current) {
      if (now - DecodeLock((*current)->value) < kStaleMs) {
        std::this_thread::sleep_for(pause);  // held elsewhere: wait for its release
        pause = std::min(pause * 2, std::chrono::milliseconds(200));
        continue;
      }
      expected = (*current)->revision;  // its holder died: take it over
    }
    auto taken = WriteAndWait(store_, {key, EncodeLock(now), expected});
    if (taken.ok()) return Held(this, std::move(local), key, *taken);
    if (taken.status().code() != Errc::kConflict) return taken.status();
  }
  return Status::Unavailable("Another request is changing the shards of account " + account + " in " + region +
                             "; try again");
}

void ShardLimitLocks::Release(const std::string& key, uint64_t revision) {
  store::MetaWrite release{key, std::nullopt, revision};
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto deleted = WriteAndWait(store_, release);
    // A conflict: another node took the lock over as stale; it is theirs.
    if (deleted.ok() || deleted.status().code() == Errc::kConflict) return;
  }
  // Left behind: others take it over once it is stale.
}

}  // namespace riffle::core
