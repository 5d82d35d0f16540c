// TokenBucket: a rate limit of `rate_per_second` tokens refilling up to
// `capacity`, read against a caller-supplied time in ms. Not thread-safe;
// ThroughputLimits guards its buckets.
#pragma once

#include <algorithm>
#include <cstdint>

namespace riffle::core {

class TokenBucket {
 public:
  // Starts full.
  TokenBucket(double capacity, double rate_per_second, int64_t now_ms)
      : capacity_(capacity), rate_per_ms_(rate_per_second / 1000.0), tokens_(capacity), updated_ms_(now_ms) {}

  // True if `amount` tokens are available at `now_ms` (up to rounding: the
  // refill is computed in floating point).
  bool Has(double amount, int64_t now_ms) {
    Refill(now_ms);
    return tokens_ + kSlack >= amount;
  }
  // Takes `amount` if that many are available; false (nothing taken) otherwise.
  bool TryTake(double amount, int64_t now_ms) {
    if (!Has(amount, now_ms)) return false;
    tokens_ -= amount;
    return true;
  }
  // Takes `amount` unconditionally; the balance may go negative (debt that
  // later refills pay back first).
  void Charge(double amount, int64_t now_ms) {
    Refill(now_ms);
    tokens_ -= amount;
  }
  // True once the bucket refilled completely (an idle bucket).
  bool Full(int64_t now_ms) {
    Refill(now_ms);
    return tokens_ + kSlack >= capacity_;
  }

 private:
  static constexpr double kSlack = 1e-6;

  void Refill(int64_t now_ms) {
    if (now_ms <= updated_ms_) return;  // the clock never runs backwards for a bucket
    tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ms - updated_ms_) * rate_per_ms_);
    updated_ms_ = now_ms;
  }

  double capacity_;
  double rate_per_ms_;
  double tokens_;
  int64_t updated_ms_;
};

}  // namespace riffle::core
