#include "core/retention.h"

#include <chrono>

namespace riffle::core {

RetentionTrimmer::RetentionTrimmer(StreamService& service, int64_t interval_ms)
    : service_(service), interval_ms_(interval_ms > 0 ? interval_ms : 1) {}

RetentionTrimmer::~RetentionTrimmer() { Stop(); }

void RetentionTrimmer::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void RetentionTrimmer::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

uint64_t RetentionTrimmer::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

void RetentionTrimmer::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    (void)service_.TrimExpired();  // a failed trim is retried at the next run
    (void)service_.CollectOrphanLogs(StreamService::kOrphanLogAgeMs);
    lock.lock();
    ++runs_;
    cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
  }
}

}  // namespace riffle::core
