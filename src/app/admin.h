// The admin listener (--admin-port; docs/operations.md): health, metrics and
// backups on their own port, apart from the API.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "app/serve.h"
#include "base/status.h"
#include "core/stream_service.h"
#include "handlers/traffic_meter.h"
#include "net/admin_router.h"
#include "net/http_server.h"
#include "net/request_metrics.h"
#include "core/channel_delivery.h"
#include "store/store.h"

namespace riffle::app {

class Admin {
 public:
  // Everything passed must outlive this. `api` is the API's listener (its
  // connections are reported).
  Admin(const ServeConfig& config, store::Store& store, core::StreamService& streams,
        const handlers::TrafficMeter& traffic, const net::RequestMetrics& requests, const net::HttpServer& api);
  ~Admin();

  // Listens on --admin-host:--admin-port.
  Status Start();
  uint16_t port() const;  // the bound port; 0 before Start()
  // From now on /health/ready answers 503 "shutting down".
  void SetShuttingDown() { shutting_down_.store(true); }
  // Channel delivery's counters in /metrics (set before Start(); may stay unset).
  void SetChannelDelivery(const core::ChannelDelivery* delivery) { delivery_ = delivery; }
  void Stop();

  // /metrics' text (Prometheus format).
  std::string Metrics() const;
  // A consistent copy of the store into `dir` (POST /backup?dir=DIR).
  Status Backup(const std::string& dir);
  // "" when ready, else why not.
  std::string NotReady() const;

 private:
  const ServeConfig& config_;
  store::Store& store_;
  core::StreamService& streams_;
  const handlers::TrafficMeter& traffic_;
  const net::RequestMetrics& requests_;
  const net::HttpServer& api_;
  const core::ChannelDelivery* delivery_ = nullptr;
  std::atomic<bool> shutting_down_{false};
  net::AdminRouter router_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace riffle::app
