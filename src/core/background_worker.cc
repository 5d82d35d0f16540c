#include "core/background_worker.h"
#include <algorithm>

namespace riffle::core {

BackgroundWorker::BackgroundWorker() : thread_([this] { Run(); }) {}

BackgroundWorker::~BackgroundWorker() { Stop(); }

void BackgroundWorker::PostAfter(int64_t delay_ms, std::function<void()> task) {
  auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<int64_t>(delay_ms, 0));
  std::lock_guard lock(mu_);
  if (stopping_) return;
  tasks_.emplace(std::make_pair(due, next_sequence_++), std::move(task));
  cv_.notify_one();
}

void BackgroundWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    tasks_.clear();
  }
  cv_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void BackgroundWorker::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (tasks_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = tasks_.begin();
    // A copy: wait_until reads the time again after waking, when Stop() may
    // have cleared the task (and its key) meanwhile.
    const auto due = first->first.first;
    if (due > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, due);
      continue;
    }
    std::function<void()> task = std::move(first->second);
    tasks_.erase(first);
    lock.unlock();
    task();
    task = nullptr;  // destroy captures outside the lock too
    lock.lock();
  }
}

}  // namespace riffle::core
