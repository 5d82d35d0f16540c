// `riffle serve`: wires store, core, router and listener together and runs
// until SIGINT or SIGTERM (SIGHUP reloads credentials and TLS files).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <memory>
#include <vector>

#include "base/status.h"

#include "store/store.h"

namespace riffle::app {

// A stream to exist at start ([[streams]] in the config file, or
// RIFFLE_STREAMS="orders:4,clicks:1"; docs/configuration.md).
struct StartupStream {
  std::string name;
  int64_t shards = 1;                     // PROVISIONED streams
  bool on_demand = false;                 // mode = "ON_DEMAND"
  int64_t retention_hours = 24;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> consumers;     // registered EFO consumers
  std::string account_id;                 // "": --account-id
  std::string region;                     // "": --region
  std::string origin;                     // "FILE:LINE" or "RIFFLE_STREAMS", for messages
};

struct ServeConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 4567;
  std::string data_dir = "./riffle-data";
  bool in_memory = false;
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  int64_t create_stream_ms = 0;
  // Channels (docs/channels.md): where their objects go, and the credentials
  // of that S3-compatible service; channel_freshness_ms (tests) replaces
  // every channel's DataFreshnessInSeconds when > 0.
  std::string s3_endpoint;
  std::string s3_access_key_id;
  std::string s3_secret_access_key;
  int64_t channel_freshness_ms = 0;
  int64_t delete_stream_ms = 0;
  int64_t update_stream_ms = 0;
  int64_t shard_limit = 500;
  int64_t subscription_ms = 5 * 60 * 1000;
  int threads = 0;  // 0: one per core
  std::string log_level = "info";
  std::string log_format = "text";  // text | json (app/logging.h)
  std::string access_log;            // "" off, "-" standard error, or a file (net/access_log.h)
  std::string sync = "always";  // always | interval:MS | never
  // Store memory (docs/memory.md).
  int64_t block_cache_mib = 32;
  int64_t memtable_mib = 64;
  // TLS: both files enable an https listener beside the plain one.
  std::string tls_cert;
  std::string tls_key;
  int tls_port = -1;  // -1: port + 1 (or a free port when port is 0)
  bool tls_only = false;  // --tls-only: no plaintext listener
  // --credentials FILE: verify signatures and authorize (docs/security.md).
  std::string credentials;
  // Accounts and realism (app/realism_flags.h parses them).
  std::vector<std::string> accounts;       // --account AKID=ACCOUNT
  bool enforce_limits = false;             // --enforce-limits
  std::vector<std::string> inject_errors;  // --inject-error OPERATION=FRACTION[:ErrorCode]
  std::string inject_record_failure;       // --inject-record-failure FRACTION[:ErrorCode]
  uint64_t inject_seed = 0;                // --inject-seed
  // Cluster (docs/cluster.md): with NATS URLs, streams live in JetStream and
  // this node keeps no data of its own (data_dir, in_memory and sync unused).
  std::vector<std::string> nats_urls;  // --nats URL[,URL...]
  int nats_replicas = 3;
  std::string nats_creds;
  std::string nats_tls_ca;
  std::string nats_tls_cert;
  std::string nats_tls_key;
  std::string nats_prefix = "riffle";
  // Network limits (net::ServerOptions; docs/hostile-input.md).
  int64_t max_connections = 1024;
  int64_t max_body_bytes = 32 * 1024 * 1024;
  int64_t max_header_bytes = 64 * 1024;
  int header_timeout_s = 20;
  int idle_timeout_s = 300;
  int64_t http2_max_streams = 128;
  // The web console at /console/ and its traffic counters (--no-console: off).
  bool no_console = false;
  // The admin listener (app/admin.h): off unless admin_port >= 0.
  int admin_port = -1;
  std::string admin_host = "127.0.0.1";
  // After SIGTERM: /health/ready answers 503 while the API keeps serving
  // this long, then the server stops.
  int64_t shutdown_delay_ms = 0;
  // Streams created at start when missing.
  std::vector<StartupStream> streams;
};

struct SyncSetting {
  store::SyncPolicy policy = store::SyncPolicy::kAlways;
  int64_t interval_ms = 1000;
};

// Parses a --sync value: "always", "never" or "interval:MS" with MS a
// positive integer. nullopt when malformed.
std::optional<SyncSetting> ParseSync(const std::string& text);

// Opens the store the configuration names: the JetStream cluster with
// --nats, else the RocksDB data directory (or memory).
StatusOr<std::unique_ptr<store::Store>> OpenStore(const ServeConfig& config);

// Runs the server; returns the process exit code. Prints one line,
// "Riffle ready at http://HOST:PORT", on stdout once it accepts requests,
// followed by "Riffle ready at https://HOST:TLS_PORT" with TLS (only the
// latter with --tls-only), then "Riffle admin at http://HOST:PORT" with
// --admin-port.
// On SIGHUP: reads the credentials file and the TLS certificate and key
// again (a file that fails to load leaves the old one in use); open
// connections are kept.
// On SIGINT/SIGTERM: stops accepting, finishes in-flight requests, syncs
// and closes the store, returns 0.
int Serve(const ServeConfig& config);

}  // namespace riffle::app
