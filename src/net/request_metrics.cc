#include "net/request_metrics.h"

#include <chrono>
#include <cstdio>

#include "handlers/handlers.h"

namespace riffle::net {

struct RequestMetrics::Slot {
  std::string_view operation;
  std::array<std::atomic<uint64_t>, kStatuses.size() + 1> statuses{};  // the last: other statuses
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};    // the last: +Inf
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sum_micros{0};
};

RequestMetrics::RequestMetrics() {
  auto handlers = handlers::AllHandlers();
  slot_count_ = handlers.size() + 1;
  slots_ = std::make_unique<Slot[]>(slot_count_);
  for (size_t i = 0; i < handlers.size(); ++i) slots_[i].operation = handlers[i].operation;
  slots_[handlers.size()].operation = "unknown";
}

RequestMetrics::~RequestMetrics() = default;

size_t RequestMetrics::SlotOf(std::string_view operation) const {
  const handlers::Handler* handler = handlers::FindHandler(operation);
  if (handler == nullptr) return slot_count_ - 1;
  return static_cast<size_t>(handler - handlers::AllHandlers().data());
}

void RequestMetrics::Count(std::string_view operation, int status, double seconds) {
  Slot& slot = slots_[SlotOf(operation)];
  size_t s = 0;
  while (s < kStatuses.size() && kStatuses[s] != status) ++s;
  slot.statuses[s].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  slot.buckets[b].fetch_add(1, std::memory_order_relaxed);
  slot.count.fetch_add(1, std::memory_order_relaxed);
  slot.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

ResponseSender RequestMetrics::Wrap(std::string_view operation, ResponseSender send) {
  const auto start = std::chrono::steady_clock::now();
  return [this, operation = std::string(operation), start, send = std::move(send)](HttpResponse response) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    Count(operation, response.status, took.count());
    send(std::move(response));
  };
}

void RequestMetrics::AppendPrometheus(std::string& out) const {
  out += "# HELP riffle_requests_total API requests by operation and HTTP status.\n"
         "# TYPE riffle_requests_total counter\n";
  for (size_t i = 0; i < slot_count_; ++i) {
    const Slot& slot = slots_[i];
    for (size_t s = 0; s <= kStatuses.size(); ++s) {
      const uint64_t n = slot.statuses[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string status = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
      out += "riffle_requests_total{operation=\"" + std::string(slot.operation) + "\",status=\"" + status + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  out += "# HELP riffle_request_duration_seconds Time from a request to its response's headers.\n"
         "# TYPE riffle_request_duration_seconds histogram\n";
  for (size_t i = 0; i < slot_count_; ++i) {
    const Slot& slot = slots_[i];
    const uint64_t count = slot.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string label = "operation=\"" + std::string(slot.operation) + "\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += slot.buckets[b].load(std::memory_order_relaxed);
      char le[32];
      if (b < kBuckets.size()) {
        std::snprintf(le, sizeof le, "%g", kBuckets[b]);
      } else {
        std::snprintf(le, sizeof le, "+Inf");
      }
      out += "riffle_request_duration_seconds_bucket{" + label + ",le=\"" + le + "\"} " + std::to_string(cumulative) +
             "\n";
    }
    char sum[48];
    std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(slot.sum_micros.load(std::memory_order_relaxed)) / 1e6);
    out += "riffle_request_duration_seconds_sum{" + label + "} " + sum + "\n";
    out += "riffle_request_duration_seconds_count{" + label + "} " + std::to_string(count) + "\n";
  }
}

}  // namespace riffle::net
