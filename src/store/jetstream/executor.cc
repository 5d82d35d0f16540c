#include "store/jetstream/executor.h"

#include <chrono>

namespace riffle::store::jetstream {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Executor::Executor(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

Executor::~Executor() { Drain(); }

void Executor::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped_) {
      ready_.push_back(std::move(task));
      cv_.notify_one();
      return;
    }
  }
  task();
}

void Executor::PostAfter(int64_t delay_ms, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped_) {
      timed_.emplace(SteadyMs() + delay_ms, std::move(task));
      cv_.notify_one();
      return;
    }
  }
  task();
}

void Executor::Drain() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopped_) return;
    draining_ = true;
    cv_.notify_all();
    drained_cv_.wait(lock, [this] { return ready_.empty() && timed_.empty() && running_ == 0; });
    stopped_ = true;
    cv_.notify_all();
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void Executor::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (stopped_) return;
    if (!timed_.empty() && timed_.begin()->first <= SteadyMs()) {
      ready_.push_back(std::move(timed_.begin()->second));
      timed_.erase(timed_.begin());
    }
    if (!ready_.empty()) {
      std::function<void()> task = std::move(ready_.front());
      ready_.pop_front();
      ++running_;
      lock.unlock();
      task();
      task = nullptr;
      lock.lock();
      --running_;
      if (draining_) drained_cv_.notify_all();
      continue;
    }
    if (timed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_for(lock, std::chrono::milliseconds(timed_.begin()->first - SteadyMs()));
    }
  }
}

}  // namespace riffle::store::jetstream
