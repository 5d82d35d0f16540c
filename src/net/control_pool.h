// ControlPool: the threads control-plane operations run on. Those calls may
// block on the store (a metadata round trip, a synced write, a cluster
// barrier), so they never run on an I/O thread; data-plane calls stay on the
// I/O threads and never block.
//
// Post() queues a task for the next free thread; at most `max_queued` tasks
// wait (Post returns false beyond, and the caller answers "try again").
// The destructor stops accepting, lets running tasks finish, drops queued
// ones (their reply callbacks are destroyed unanswered, which closes their
// streams) and joins. Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace riffle::net {

class ControlPool {
 public:
  ControlPool(int threads, size_t max_queued);
  ~ControlPool();
  ControlPool(const ControlPool&) = delete;
  ControlPool& operator=(const ControlPool&) = delete;

  bool Post(std::function<void()> task);

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace riffle::net
