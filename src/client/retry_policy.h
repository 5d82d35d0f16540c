// RetryPolicy: when a failed attempt is tried again and after how long, as
// the AWS SDKs' "standard" retry mode decides (riffle/kinesis/client.h has the
// rules and their sources). Shared by every call of one Client; thread-safe.
// Internal to libriffle-kinesis.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "riffle/kinesis/client.h"
#include "riffle/kinesis/error.h"

namespace riffle::kinesis::internal {

class RetryPolicy {
 public:
  static constexpr int kQuotaTokens = 500;    // initial (and largest) retry quota
  static constexpr int kRetryCost = 5;        // tokens a retry takes
  static constexpr int kTimeoutRetryCost = 10;  // after a timeout or connection failure
  static constexpr int kNoRetryRefill = 1;    // given back by a call that needed no retry

  RetryPolicy(const RetryOptions& options, int max_attempts);

  struct Decision {
    std::chrono::nanoseconds delay{0};
    int cost = 0;  // quota tokens taken; give them back with OnSuccess(cost)
  };
  // Attempt number `attempt` (1-based) failed with `error`: the delay before
  // the next attempt, or nullopt when the call ends with `error` (not
  // retryable, attempts used up, quota exhausted). `retry_after` is an
  // x-amz-retry-after header's time: the delay is at least that, at most
  // 5 s beyond the backoff (botocore's rule). Takes quota tokens.
  std::optional<Decision> OnFailure(const Error& error, int attempt,
                                    std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  // A call succeeded; `retry_cost` is what its retries took (0 if none).
  void OnSuccess(int retry_cost);

  int max_attempts() const { return max_attempts_; }
  int tokens() const;

  // rand(0,1) * min(base * 2^(attempt-1), max_backoff): the standard mode's
  // full-jitter backoff before attempt + 1. `unit` is the random factor (for tests).
  static std::chrono::nanoseconds Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max_backoff,
                                          int attempt, double unit);

 private:
  const RetryOptions options_;
  const int max_attempts_;
  mutable std::mutex mutex_;
  int tokens_ = kQuotaTokens;  // guarded by mutex_
};

}  // namespace riffle::kinesis::internal
