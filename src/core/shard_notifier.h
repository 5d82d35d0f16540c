// ShardNotifier: tells whoever waits on a shard that it changed — records
// were settled, the shard was closed, or its stream or a consumer went away —
// so that SubscribeToShard pushes instead of polling.
//
// Waits are one-shot: the callback runs once, on the thread that notified
// (a store writer completion or a control-plane call), outside any lock, and
// must only schedule work (e.g. post onto a connection's strand). A waiter
// re-reads the shard and watches again. Spurious wake-ups are allowed.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>

namespace riffle::core {

class ShardNotifier {
 public:
  using Wake = std::function<void()>;

  // Calls `wake` once at the next change of the shard. Returns an id for
  // Cancel.
  uint64_t Watch(uint64_t incarnation, uint32_t shard_index, Wake wake);
  // Forgets a wait (no-op when it already fired).
  void Cancel(uint64_t id);
  // Wakes the waiters of one shard, or of every shard of a stream.
  void Notify(uint64_t incarnation, uint32_t shard_index);
  void NotifyStream(uint64_t incarnation);

 private:
  using Key = std::tuple<uint64_t, uint32_t, uint64_t>;  // incarnation, shard, id
  void FireRange(const Key& from, const Key& to);

  std::mutex mu_;
  std::map<Key, Wake> waiters_;               // guarded by mu_
  std::map<uint64_t, Key> keys_;              // id -> key, guarded by mu_
  uint64_t next_id_ = 1;                      // guarded by mu_
  std::atomic<size_t> count_{0};              // waiters_.size(): Notify skips the lock when 0
};

}  // namespace riffle::core
