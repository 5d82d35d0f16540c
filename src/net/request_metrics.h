// RequestMetrics: the API's requests counted by operation and HTTP status,
// with a latency histogram per operation, for /metrics (net/admin_router.h;
// docs/operations.md).
//
// Cheap on the put path: the operation's slot is found by its handler's
// index (no lock, no allocation) and counting is a few relaxed atomic adds.
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_types.h"

namespace riffle::net {

class RequestMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   10};
  // The statuses counted one by one; any other is counted as "other".
  static constexpr std::array<int, 10> kStatuses = {200, 400, 403, 404, 413, 429, 431, 500, 502, 503};

  RequestMetrics();
  ~RequestMetrics();

  // Wraps `send` so that the response it sends is counted for `operation`
  // (a Kinesis operation name; others count as "unknown"), with the time
  // from this call to the response's headers.
  ResponseSender Wrap(std::string_view operation, ResponseSender send);
  // Counts one request directly.
  void Count(std::string_view operation, int status, double seconds);

  // Prometheus text: riffle_requests_total{operation,status} and
  // riffle_request_duration_seconds{operation} (a histogram).
  void AppendPrometheus(std::string& out) const;

 private:
  struct Slot;
  size_t SlotOf(std::string_view operation) const;
  std::unique_ptr<Slot[]> slots_;
  size_t slot_count_;
};

}  // namespace riffle::net
