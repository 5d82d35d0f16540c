// Executor: the JetStream store's own threads. Runs posted tasks, at once or
// after a delay, on a fixed number of threads, so that no store method taking
// a callback blocks its caller on NATS.
//
// Thread-safe. Drain() waits until every task posted so far (and every task
// those post) ran, then joins the threads; tasks posted after Drain() started
// run inline on the posting thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace riffle::store::jetstream {

class Executor {
 public:
  explicit Executor(int threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Post(std::function<void()> task);
  void PostAfter(int64_t delay_ms, std::function<void()> task);
  void Drain();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;          // workers wait on it
  std::condition_variable drained_cv_;  // Drain() waits on it
  std::deque<std::function<void()>> ready_;
  std::multimap<int64_t, std::function<void()>> timed_;  // steady ms -> task
  int running_ = 0;
  bool draining_ = false;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace riffle::store::jetstream
