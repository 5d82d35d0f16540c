#include "client/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace riffle::kinesis::internal {

namespace {

double UnitRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

RetryPolicy::RetryPolicy(const RetryOptions& options, int max_attempts)
    : options_(options), max_attempts_(std::max(1, max_attempts)) {}

std::chrono::nanoseconds RetryPolicy::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max_backoff,
                                              int attempt, double unit) {
  const double exponent = std::min(attempt - 1, 62);
  const double scaled = std::min(static_cast<double>(base.count()) * std::pow(2.0, exponent),
                                 static_cast<double>(max_backoff.count()));
  return std::chrono::nanoseconds(static_cast<int64_t>(unit * scaled * 1e6));
}

std::optional<RetryPolicy::Decision> RetryPolicy::OnFailure(const Error& error, int attempt,
                                                            std::optional<std::chrono::milliseconds> retry_after) {
  if (!error.IsRetryable() || attempt >= max_attempts_) return std::nullopt;
  Decision decision;
  if (options_.quota) {
    const bool costly = error.code() == ErrorCode::kTimeout || error.code() == ErrorCode::kNetworkError;
    decision.cost = costly ? kTimeoutRetryCost : kRetryCost;
    std::lock_guard lock(mutex_);
    if (tokens_ < decision.cost) return std::nullopt;
    tokens_ -= decision.cost;
  }
  const auto base = error.IsThrottling() ? options_.throttling_base : options_.transient_base;
  decision.delay = Backoff(base, options_.max_backoff, attempt, UnitRandom());
  if (retry_after) {
    auto floor = std::chrono::duration_cast<std::chrono::nanoseconds>(*retry_after);
    decision.delay = std::max(decision.delay, std::min(floor, decision.delay + std::chrono::seconds(5)));
  }
  return decision;
}

void RetryPolicy::OnSuccess(int retry_cost) {
  if (!options_.quota) return;
  std::lock_guard lock(mutex_);
  tokens_ = std::min(kQuotaTokens, tokens_ + (retry_cost > 0 ? retry_cost : kNoRetryRefill));
}

int RetryPolicy::tokens() const {
  std::lock_guard lock(mutex_);
  return tokens_;
}

}  // namespace riffle::kinesis::internal
