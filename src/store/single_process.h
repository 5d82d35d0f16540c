// What the single-process stores (store/rocksdb/, store/memory/) share: the
// wall clock they stamp logs and ephemeral keys with, and the errors of a
// missing log and of a closed store, worded once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::single_process {

inline int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline Status NoLog(ShardKey shard) {
  return Status::NotFound("no log for incarnation " + std::to_string(shard.incarnation) + " shard " +
                          std::to_string(shard.shard_index));
}

inline Status Closed() { return Status::StorageError("store is closed"); }

}  // namespace riffle::store::single_process
