// ShardLimitLock: the right, for one account and region, to add open shards
// (CreateStream, SplitShard, UpdateShardCount). The holder counts the
// account's open shards and records its change while no other operation can
// add shards, so concurrent calls never exceed the shard limit together.
//
// On one node a mutex is enough. On a store other nodes share, the holder
// also owns the metadata key `lock/shards/<account>/<region>`, created by
// compare-and-set and deleted on release (docs/storage-format.md). A lock
// whose holder died is taken over once it is older than kStaleMs by the
// clock of the node that wants it; a node waits for a live holder up to
// kWaitMs, then answers kUnavailable. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "base/status.h"
#include "core/clock.h"
#include "store/store.h"

namespace riffle::core {

class ShardLimitLocks {
 public:
  static constexpr int64_t kStaleMs = 30'000;
  static constexpr int64_t kWaitMs = 35'000;

  // A held lock; released by Release() or on destruction.
  class Held {
   public:
    Held(Held&& other) noexcept;
    Held& operator=(Held&&) = delete;
    ~Held() { Release(); }
    void Release();

   private:
    friend class ShardLimitLocks;
    Held(ShardLimitLocks* locks, std::unique_lock<std::mutex> local, std::string key, uint64_t revision);
    ShardLimitLocks* locks_;
    std::unique_lock<std::mutex> local_;
    std::string key_;        // empty: no metadata key is held
    uint64_t revision_ = 0;  // of the key's write that took it
  };

  // `store` and `clock` must outlive this.
  ShardLimitLocks(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Waits for the lock of `account` in `region`. Blocks.
  StatusOr<Held> Acquire(const std::string& account, const std::string& region);

 private:
  void Release(const std::string& key, uint64_t revision);

  store::Store& store_;
  const Clock& clock_;
  std::mutex local_;  // one holder per node, whatever the account
};

}  // namespace riffle::core
