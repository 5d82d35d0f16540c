// KeyLocks: a fixed set of mutexes picked by hashing a key, so that this
// node's read-modify-writes of one metadata key run one at a time (races with
// other nodes are settled by the store's compare-and-set). Two keys may share
// a mutex: never hold one lock while taking another. Thread-safe.
#pragma once

#include <array>
#include <functional>
#include <mutex>
#include <string_view>

namespace riffle::core {

class KeyLocks {
 public:
  std::unique_lock<std::mutex> Lock(std::string_view key) {
    return std::unique_lock(stripes_[std::hash<std::string_view>()(key) % stripes_.size()]);
  }

 private:
  std::array<std::mutex, 64> stripes_;
};

}  // namespace riffle::core
