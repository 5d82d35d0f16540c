#include "app/admin.h"

#include <unistd.h>

#include <fstream>

#include <spdlog/spdlog.h>

#include "app/logging.h"
#include "app/stream_metrics.h"
#include "handlers/shard_subscription.h"
#include "app/version.h"

namespace riffle::app {
namespace {

// Resident set size in bytes (from /proc/self/statm), 0 when unknown.
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void Family(std::string& out, const std::string& name, const char* type, const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Admin::Admin(const ServeConfig& config, store::Store& store, core::StreamService& streams,
             const handlers::TrafficMeter& traffic, const net::RequestMetrics& requests, const net::HttpServer& api)
    : config_(config),
      store_(store),
      streams_(streams),
      traffic_(traffic),
      requests_(requests),
      api_(api),
      router_(net::AdminHooks{[this] { return NotReady(); }, [this](std::string& out) { out += Metrics(); },
                              [this](const std::string& dir) { return Backup(dir); }}) {}

Status Admin::Backup(const std::string& dir) {
  if (!config_.nats_urls.empty()) {
    return Status::Validation("a cluster node keeps no data of its own: back up NATS JetStream instead");
  }
  Status made = store_.Checkpoint(dir);
  if (made.ok()) spdlog::info("backup written to {}", dir);
  return made;
}

Admin::~Admin() { Stop(); }

Status Admin::Start() {
  net::ServerOptions options;
  options.host = config_.admin_host;
  options.port = static_cast<uint16_t>(config_.admin_port);
  options.threads = 1;
  options.max_connections = 64;
  options.max_body_bytes = 64 * 1024;
  server_ = std::make_unique<net::HttpServer>(options, router_);
  Status started = server_->Start();
  return started;
}

uint16_t Admin::port() const { return server_ ? server_->port() : 0; }

void Admin::Stop() {
  if (server_) server_->Stop(1000);
}

std::string Admin::NotReady() const {
  if (shutting_down_.load()) return "shutting down";
  Status ready = store_.Ready();
  if (!ready.ok()) return (config_.nats_urls.empty() ? "store: " : "cluster: ") + ready.message();
  return "";
}

std::string Admin::Metrics() const {
  std::string out;
  Family(out, "riffle_build_info", "gauge", "The running build (always 1).");
  out += "riffle_build_info{version=" + JsonQuote(VersionLine()) + "} 1\n";
  Family(out, "riffle_ready", "gauge", "1 when /health/ready answers 200.");
  out += std::string("riffle_ready ") + (NotReady().empty() ? "1" : "0") + "\n";
  Family(out, "riffle_open_connections", "gauge", "Open API connections.");
  out += "riffle_open_connections " + std::to_string(api_.open_connections()) + "\n";
  Family(out, "riffle_requests_in_flight", "gauge", "API requests being handled (SubscribeToShard included).");
  out += "riffle_requests_in_flight " + std::to_string(api_.in_flight()) + "\n";
  Family(out, "riffle_open_subscriptions", "gauge", "SubscribeToShard event streams open.");
  out += "riffle_open_subscriptions " + std::to_string(handlers::ShardSubscription::OpenCount()) + "\n";
  Family(out, "riffle_resident_memory_bytes", "gauge", "Resident set size of the process.");
  out += "riffle_resident_memory_bytes " + std::to_string(ResidentBytes()) + "\n";
  requests_.AppendPrometheus(out);

  // Kinesis's metrics per stream and shard, bytes on disk, the store's writes.
  AppendStreamMetrics(out, traffic_.Totals(), streams_);
  // Bytes on disk only while the store is healthy: a failing disk is not probed.
  if (store_.Ready().ok()) AppendDiskUsage(out, streams_.BytesOnDisk());
  AppendStoreMetrics(out, store_.Stats());
  if (delivery_ != nullptr) {
    const core::ChannelDelivery::Stats d = delivery_->stats();
    Family(out, "riffle_channel_objects_total", "counter", "Objects channels stored at their destination.");
    out += "riffle_channel_objects_total " + std::to_string(d.objects) + "\n";
    Family(out, "riffle_channel_records_total", "counter", "Records channels delivered.");
    out += "riffle_channel_records_total " + std::to_string(d.records) + "\n";
    Family(out, "riffle_channel_bytes_total", "counter", "Bytes of the objects channels stored (compressed).");
    out += "riffle_channel_bytes_total " + std::to_string(d.bytes) + "\n";
    Family(out, "riffle_channel_delivery_failures_total", "counter",
           "Channel deliveries that failed and are tried again (destination unreachable or refusing).");
    out += "riffle_channel_delivery_failures_total " + std::to_string(d.failures) + "\n";
  }
  return out;
}

}  // namespace riffle::app
