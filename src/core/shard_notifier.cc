#include "core/shard_notifier.h"

#include <limits>
#include <utility>
#include <vector>

namespace riffle::core {

uint64_t ShardNotifier::Watch(uint64_t incarnation, uint32_t shard_index, Wake wake) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  Key key{incarnation, shard_index, id};
  waiters_.emplace(key, std::move(wake));
  keys_.emplace(id, key);
  count_.store(waiters_.size());
  return id;
}

void ShardNotifier::Cancel(uint64_t id) {
  Wake dropped;  // destroyed outside the lock
  std::lock_guard lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end()) return;
  auto w = waiters_.find(it->second);
  if (w != waiters_.end()) {
    dropped = std::move(w->second);
    waiters_.erase(w);
  }
  keys_.erase(it);
  count_.store(waiters_.size());
}

void ShardNotifier::Notify(uint64_t incarnation, uint32_t shard_index) {
  if (count_.load() == 0) return;
  FireRange({incarnation, shard_index, 0}, {incarnation, shard_index, std::numeric_limits<uint64_t>::max()});
}

void ShardNotifier::NotifyStream(uint64_t incarnation) {
  if (count_.load() == 0) return;
  constexpr auto kMaxShard = std::numeric_limits<uint32_t>::max();
  FireRange({incarnation, 0, 0}, {incarnation, kMaxShard, std::numeric_limits<uint64_t>::max()});
}

void ShardNotifier::FireRange(const Key& from, const Key& to) {
  std::vector<Wake> fired;
  {
    std::lock_guard lock(mu_);
    auto begin = waiters_.lower_bound(from);
    auto end = waiters_.upper_bound(to);
    for (auto it = begin; it != end; ++it) {
      keys_.erase(std::get<2>(it->first));
      fired.push_back(std::move(it->second));
    }
    waiters_.erase(begin, end);
    count_.store(waiters_.size());
  }
  for (Wake& wake : fired) wake();
}

}  // namespace riffle::core
