// BackgroundWorker: one thread that runs core's deferred work — due state
// transitions, the slow paths of data-plane calls that must wait on the
// store (retrying a put after its shard was sealed by a reshard, refreshing
// metadata after a miss) — so I/O threads never block.
//
// Tasks run one at a time, in order of their due time (then of posting).
// Stop() drops tasks not yet started and joins; tasks posted after it are
// dropped. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace riffle::core {

class BackgroundWorker {
 public:
  BackgroundWorker();
  ~BackgroundWorker();  // Stop()s
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  void Post(std::function<void()> task) { PostAfter(0, std::move(task)); }
  // Runs `task` once `delay_ms` (real time) has passed.
  void PostAfter(int64_t delay_ms, std::function<void()> task);
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  // (due, sequence) -> task; guarded by mu_
  std::map<std::pair<std::chrono::steady_clock::time_point, uint64_t>, std::function<void()>> tasks_;
  uint64_t next_sequence_ = 0;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread thread_;
};

}  // namespace riffle::core
