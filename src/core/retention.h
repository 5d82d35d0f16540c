// RetentionTrimmer: runs StreamService::TrimExpired() (and
// CollectOrphanLogs()) in the background every `interval_ms` (real time; what
// is expired is decided by the service's clock). Start() once; Stop() wakes the thread, waits for a run in progress
// to finish and joins; it is idempotent and the destructor calls it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/stream_service.h"

namespace riffle::core {

class RetentionTrimmer {
 public:
  RetentionTrimmer(StreamService& service, int64_t interval_ms);
  ~RetentionTrimmer();
  RetentionTrimmer(const RetentionTrimmer&) = delete;
  RetentionTrimmer& operator=(const RetentionTrimmer&) = delete;

  // Runs a first trim at once, then one every interval.
  void Start();
  void Stop();

  // Completed runs (for tests and metrics).
  uint64_t runs() const;

 private:
  void Run();

  StreamService& service_;
  const int64_t interval_ms_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  uint64_t runs_ = 0;      // guarded by mu_
  std::thread thread_;
};

}  // namespace riffle::core
