// AdminRouter: the admin listener's routes (--admin-port; docs/operations.md).
//
//   GET /health/live   200 "live": the process answers.
//   GET /health/ready  200 "ready", or 503 with the reason (shutting down,
//                      the store not writable, the cluster unreachable).
//   GET /metrics       Prometheus text format 0.0.4.
//   POST /backup?dir=D a consistent copy of the store into directory D
//                      (501 where the store cannot make one).
// Anything else is 404. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "net/http_types.h"

namespace riffle::net {

struct AdminHooks {
  std::function<std::string()> not_ready;         // "" when ready, else why not
  std::function<void(std::string&)> metrics;      // appends Prometheus text
  std::function<Status(const std::string&)> backup;  // copies the store into a new directory
};

class AdminRouter final : public RequestHandler {
 public:
  explicit AdminRouter(AdminHooks hooks);
  void Handle(HttpRequest request, ResponseSender send) override;

 private:
  AdminHooks hooks_;
};

}  // namespace riffle::net
