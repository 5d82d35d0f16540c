#include "app/serve.h"

#include <signal.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <chrono>
#include <thread>

#include "app/admin.h"
#include "app/credentials.h"
#include "app/logging.h"
#include "app/realism_flags.h"
#include "app/serve_flags.h"
#include "app/startup_streams.h"
#include "base/buffer_cache.h"
#include "core/clock.h"
#include "core/retention.h"
#include "core/stream_service.h"
#include "handlers/peer_reports.h"
#include "handlers/traffic_meter.h"
#include "app/object_sinks.h"
#include "core/channel_delivery.h"
#include "core/channel_service.h"
#include "net/api_router.h"
#include "net/console_router.h"
#include "net/http_server.h"
#include "net/access_log.h"
#include "net/request_metrics.h"
#include "store/jetstream/jetstream_store.h"
#include "store/memory/memory_store.h"
#include "store/rocksdb/rocksdb_store.h"
#include "store/store.h"

namespace riffle::app {

std::optional<SyncSetting> ParseSync(const std::string& text) {
  if (text == "always") return SyncSetting{store::SyncPolicy::kAlways, 1000};
  if (text == "never") return SyncSetting{store::SyncPolicy::kNever, 1000};
  const std::string prefix = "interval:";
  if (text.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string digits = text.substr(prefix.size());
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int64_t ms = std::stoll(digits);
  if (ms <= 0) return std::nullopt;
  return SyncSetting{store::SyncPolicy::kInterval, ms};
}

StatusOr<std::unique_ptr<store::Store>> OpenStore(const ServeConfig& config) {
  if (!config.nats_urls.empty()) {
    if (config.in_memory) return Status::InvalidArgument("--in-memory and --nats do not go together");
    store::jetstream::JetStreamOptions options;
    options.urls = config.nats_urls;
    options.replicas = config.nats_replicas;
    options.creds_file = config.nats_creds;
    options.tls_ca_file = config.nats_tls_ca;
    options.tls_cert_file = config.nats_tls_cert;
    options.tls_key_file = config.nats_tls_key;
    options.prefix = config.nats_prefix;
    options.node_name = "riffle@" + config.host + ":" + std::to_string(config.port);
    auto store = store::jetstream::Open(options);
    if (!store.ok()) return Status(store.status().code(), "cannot reach the cluster: " + store.status().message());
    return store;
  }
  std::optional<SyncSetting> sync = ParseSync(config.sync);
  if (!sync) return Status::InvalidArgument("--sync must be always, never or interval:MS (got " + config.sync + ")");
  if (config.in_memory) return store::memory::Open();
  store::Options store_options;
  store_options.path = config.data_dir;
  store_options.in_memory = config.in_memory;
  store_options.sync = sync->policy;
  store_options.sync_interval_ms = sync->interval_ms;
  store::rocksdb_store::Tuning tuning;
  tuning.block_cache_bytes = static_cast<size_t>(config.block_cache_mib) << 20;
  tuning.memtable_budget_bytes = static_cast<size_t>(config.memtable_mib) << 20;
  auto store = store::rocksdb_store::Open(store_options, tuning);
  if (!store.ok()) {
    return Status(store.status().code(),
                  "cannot open the data directory " + config.data_dir + ": " + store.status().message());
  }
  return store;
}

namespace {

// SIGHUP: the credentials file and the TLS files, read again; what fails to
// load keeps its old version (and is logged).
void Reload(const ServeConfig& config, const std::map<std::string, std::string, std::less<>>& accounts,
            handlers::KeyRingSlot* key_ring, net::HttpServer& server, net::AccessLog* access_log) {
  if (access_log != nullptr) {
    Status reopened = access_log->Reopen();
    if (reopened.ok()) {
      spdlog::info("SIGHUP: access log {} reopened", config.access_log);
    } else {
      spdlog::error("SIGHUP: keeping the previous access log: {}", reopened.message());
    }
  }
  if (key_ring != nullptr) {
    auto ring = LoadCredentials(config.credentials, accounts, config.account_id);
    if (ring.ok()) {
      spdlog::info("SIGHUP: {} access key(s) from {}", (*ring)->size(), config.credentials);
      key_ring->Set(std::move(ring).value());
    } else {
      spdlog::error("SIGHUP: keeping the previous credentials: {}", ring.status().message());
    }
  }
  if (!config.tls_cert.empty()) {
    Status tls = server.ReloadTls();
    if (tls.ok()) {
      spdlog::info("SIGHUP: TLS certificate {} and key reloaded", config.tls_cert);
    } else {
      spdlog::error("SIGHUP: keeping the previous TLS certificate: {}", tls.message());
    }
  }
}

}  // namespace

int Serve(const ServeConfig& config) {
  SetUpLogging(config.log_format, config.log_level);
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    std::fprintf(stderr, "riffle: --tls-cert and --tls-key go together\n");
    return 1;
  }
  if (config.tls_only && config.tls_cert.empty()) {
    std::fprintf(stderr, "riffle: --tls-only needs --tls-cert and --tls-key (see `riffle cert`)\n");
    return 1;
  }
  if (config.tls_port >= 0 && config.tls_cert.empty()) {
    std::fprintf(stderr, "riffle: --tls-port needs --tls-cert and --tls-key (see `riffle cert`)\n");
    return 1;
  }
  if (config.tls_port > 65535 || (config.tls_port < 0 && config.port == 65535 && !config.tls_cert.empty())) {
    std::fprintf(stderr, "riffle: invalid --tls-port\n");
    return 1;
  }

  std::string flag_error;
  auto accounts = ParseAccounts(config.accounts, flag_error);
  std::optional<handlers::AdmissionOptions> admission_options;
  if (accounts) admission_options = ParseAdmission(config, flag_error);
  if (!IsAccountId(config.account_id)) flag_error = "--default-account must be 12 digits (got " + config.account_id + ")";
  if (!flag_error.empty()) {
    std::fprintf(stderr, "riffle: %s\n", flag_error.c_str());
    return 1;
  }

  // The accepted keys, when --credentials is given (reloaded on SIGHUP).
  std::optional<handlers::KeyRingSlot> key_ring;
  if (!config.credentials.empty()) {
    auto ring = LoadCredentials(config.credentials, *accounts, config.account_id);
    if (!ring.ok()) {
      std::fprintf(stderr, "riffle: %s\n", ring.status().message().c_str());
      return 1;
    }
    key_ring.emplace(std::move(ring).value());
  }

  // Block the stop and reload signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto store = OpenStore(config);
  if (!store.ok()) {
    std::fprintf(stderr, "riffle: %s\n", store.status().message().c_str());
    return 1;
  }
  const std::string where = config.nats_urls.empty() ? config.data_dir : "the cluster";

  core::SystemClock clock;
  core::ServiceOptions service_options;
  service_options.create_stream_ms = config.create_stream_ms;
  service_options.delete_stream_ms = config.delete_stream_ms;
  service_options.update_stream_ms = config.update_stream_ms;
  service_options.shard_limit = config.shard_limit;
  service_options.subscription_ms = config.subscription_ms;
  auto streams = core::StreamService::Open(**store, clock, service_options);
  if (!streams.ok()) {
    std::fprintf(stderr, "riffle: cannot load streams from %s: %s\n", where.c_str(),
                 streams.status().message().c_str());
    (*store)->Close();
    return 1;
  }
  std::string startup_error = CreateStartupStreams(**streams, config);
  if (!startup_error.empty()) {
    std::fprintf(stderr, "riffle: %s\n", startup_error.c_str());
    (*streams)->Stop();
    (*store)->Close();
    return 1;
  }

  net::RouterOptions router_options;
  router_options.default_account_id = config.account_id;
  router_options.default_region = config.region;
  router_options.accounts = *accounts;
  if (key_ring) router_options.credentials = &*key_ring;
  std::optional<handlers::Admission> admission;
  if (admission_options->enforce_limits || !admission_options->faults.empty()) {
    admission.emplace(clock, std::move(*admission_options));
    router_options.admission = &*admission;
  }
  // The console's rates (docs/console.md) and the per-stream metrics.
  handlers::TrafficMeter traffic(clock.NowMs());
  const bool metered = !config.no_console || config.admin_port >= 0;
  if (metered) router_options.traffic = &traffic;
  // What the nodes of a cluster tell one another: rate-limit usage and the
  // console's traffic. Declared after its receivers: it stops first.
  handlers::PeerReports peers(**store);
  if (admission) admission->ShareUsage(peers);
  if (metered) {
    peers.Listen(handlers::TrafficMeter::kReportKind,
                 [&traffic](std::string_view report) { traffic.ApplyReport(report); });
  }
  peers.Start();
  net::RequestMetrics request_metrics;
  if (config.admin_port >= 0) router_options.metrics = &request_metrics;
  std::unique_ptr<net::AccessLog> access_log;
  if (!config.access_log.empty()) {
    auto opened = net::AccessLog::Open(config.access_log, config.log_format == "json");
    if (!opened.ok()) {
      std::fprintf(stderr, "riffle: %s\n", opened.status().message().c_str());
      (*store)->Close();
      return 1;
    }
    access_log = std::move(opened).value();
    router_options.access_log = access_log.get();
  }
  // Channels: the five operations, and delivery to --s3-endpoint.
  std::unique_ptr<core::ObjectSink> sink;
  if (!config.s3_endpoint.empty()) {
    auto made = MakeObjectSink(config.s3_endpoint, config.region, config.s3_access_key_id,
                               config.s3_secret_access_key);
    if (!made.ok()) {
      std::fprintf(stderr, "riffle: %s\n", made.status().message().c_str());
      (*streams)->Stop();
      (*store)->Close();
      return 1;
    }
    sink = std::move(made).value();
  }
  core::ChannelService channels(**streams, clock, service_options);
  (*streams)->SetDeleteGuard([&channels](const core::StreamAddress& address, uint64_t incarnation) {
    return channels.CheckStreamDeletable(address, incarnation);
  });
  core::ChannelDelivery::Options delivery_options;
  if (config.channel_freshness_ms > 0) {
    delivery_options.freshness_ms = config.channel_freshness_ms;
    delivery_options.tick_ms = std::clamp<int64_t>(config.channel_freshness_ms / 4, 50, 1000);
  }
  core::ChannelDelivery delivery(channels, **streams, **store, sink.get(), clock, delivery_options);
  router_options.channels = &channels;
  net::ApiRouter router(**streams, router_options);
  net::ConsoleRouter console(router, traffic);
  net::RequestHandler& handler = !config.no_console ? static_cast<net::RequestHandler&>(console) : router;

  net::ServerOptions server_options;
  server_options.host = config.host;
  server_options.port = config.port;
  server_options.threads =
      config.threads > 0 ? config.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server_options.max_connections = static_cast<size_t>(config.max_connections);
  server_options.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
  server_options.max_header_bytes = static_cast<size_t>(config.max_header_bytes);
  server_options.header_timeout_seconds = config.header_timeout_s;
  server_options.idle_timeout_seconds = config.idle_timeout_s;
  server_options.http2_max_concurrent_streams = static_cast<uint32_t>(config.http2_max_streams);
  server_options.tls_cert_file = config.tls_cert;
  server_options.tls_key_file = config.tls_key;
  server_options.tls_only = config.tls_only;
  if (config.tls_port >= 0) {
    server_options.tls_port = static_cast<uint16_t>(config.tls_port);
  } else if (config.port != 0) {
    server_options.tls_port = static_cast<uint16_t>(config.port + 1);
  }
  net::HttpServer server(server_options, handler);
  Status started = server.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "riffle: cannot listen on %s:%u: %s\n", config.host.c_str(), config.port,
                 started.message().c_str());
    (*store)->Close();
    return 1;
  }
  Admin admin(config, **store, **streams, traffic, request_metrics, server);
  admin.SetChannelDelivery(&delivery);
  if (config.admin_port >= 0) {
    Status admin_started = admin.Start();
    if (!admin_started.ok()) {
      std::fprintf(stderr, "riffle: cannot listen on %s:%d (admin): %s\n", config.admin_host.c_str(),
                   config.admin_port, admin_started.message().c_str());
      server.Stop();
      (*streams)->Stop();
      (*store)->Close();
      return 1;
    }
  }
  // Records older than their stream's retention are trimmed once a minute.
  core::RetentionTrimmer trimmer(**streams, 60 * 1000);
  trimmer.Start();
  delivery.Start();
  if (!config.tls_only) std::printf("Riffle ready at http://%s:%u\n", config.host.c_str(), server.port());
  if (server.tls_port() != 0) std::printf("Riffle ready at https://%s:%u\n", config.host.c_str(), server.tls_port());
  if (config.admin_port >= 0) std::printf("Riffle admin at http://%s:%u\n", config.admin_host.c_str(), admin.port());
  std::fflush(stdout);
  const uint16_t listening = config.tls_only ? server.tls_port() : server.port();
  if (config.nats_urls.empty()) {
    spdlog::info("serving {} on {}:{} (sync {}, block cache {} MiB, memtables {} MiB)",
                 config.in_memory ? "in memory" : config.data_dir, config.host, listening, config.sync,
                 config.block_cache_mib, config.memtable_mib);
  } else {
    spdlog::info("serving the cluster at {} on {}:{} (replicas {}, prefix {})",
                 MaskUrlPassword(fmt::format("{}", fmt::join(config.nats_urls, ","))), config.host, listening,
                 config.nats_replicas, config.nats_prefix);
  }
  if (key_ring) {
    spdlog::info("verifying signatures: {} access key(s) from {}", key_ring->Get()->size(), config.credentials);
  }

  // Once a second, large buffers kept for reuse that went unused are freed.
  uint64_t logged_failures = 0;  // channel delivery failures logged (at most every 10 s)
  int64_t next_failure_log_ms = 0;
  int received = 0;
  const timespec second{1, 0};
  while ((received = sigtimedwait(&signals, nullptr, &second)) < 0 || received == SIGHUP) {
    if (received == SIGHUP) {
      Reload(config, *accounts, key_ring ? &*key_ring : nullptr, server, access_log.get());
      continue;
    }
    BufferCache::Global().DropIdle(2000);
    if (metered) {
      traffic.Sample(clock.NowMs());
      if (peers.shared()) {
        for (std::string& report : traffic.IntervalReports()) peers.Send(std::move(report));
      }
    }
    if (const auto d = delivery.stats(); d.failures != logged_failures && clock.NowMs() >= next_failure_log_ms) {
      spdlog::warn("channel delivery failed ({} so far): {}", d.failures, d.last_error);
      logged_failures = d.failures;
      next_failure_log_ms = clock.NowMs() + 10000;
    }
  }
  admin.SetShuttingDown();
  if (config.shutdown_delay_ms > 0) {
    spdlog::info("signal {}: not ready; stopping in {} ms", received, config.shutdown_delay_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(config.shutdown_delay_ms));
  }
  spdlog::info("signal {}: stopping", received);
  server.Stop();
  admin.Stop();
  trimmer.Stop();
  delivery.Stop();
  (*streams)->Stop();
  (*store)->Close();
  spdlog::info("stopped");
  return 0;
}

}  // namespace riffle::app
