#include "app/serve_flags.h"

#include "app/logging.h"

#include <cstdint>
#include <type_traits>

namespace riffle::app {

std::string ServeFlag::Key() const {
  std::string key = name;
  for (char& c : key) c = c == '-' ? '_' : c;
  return key;
}

std::string ServeFlag::EnvName() const {
  std::string env = "RIFFLE_" + Key();
  for (char& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

std::string MaskUrlPassword(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t scheme = text.find("://", pos);
    if (scheme == std::string::npos) break;
    size_t start = scheme + 3;
    size_t end = text.find_first_of(",/ ", start);
    if (end == std::string::npos) end = text.size();
    size_t at = text.rfind('@', end);
    size_t colon = text.find(':', start);
    out += text.substr(pos, start - pos);
    if (at != std::string::npos && at >= start && colon != std::string::npos && colon < at) {
      out += text.substr(start, colon + 1 - start) + "***" + text.substr(at, end - at);
    } else if (at != std::string::npos && at >= start) {
      out += "***" + text.substr(at, end - at);  // a token (nats://token@host)
    } else {
      out += text.substr(start, end - start);
    }
    pos = end;
  }
  return out + text.substr(pos);
}

template <typename T>
void ServeFlags::Add(const std::string& name, T& field, const std::string& help, bool show_default,
                     const std::string& alias) {
  ServeFlag flag;
  const std::string names = "--" + name + (alias.empty() ? "" : ",--" + alias);
  flag.name = name;
  T* value = &field;
  if constexpr (std::is_same_v<T, bool>) {
    flag.kind = FlagKind::kBool;
    flag.option = serve_->add_flag(names, field, help);
    flag.value_toml = [value] { return std::string(*value ? "true" : "false"); };
  } else if constexpr (std::is_same_v<T, std::string>) {
    flag.kind = FlagKind::kString;
    flag.option = serve_->add_option(names, field, help);
    flag.value_toml = [value] { return JsonQuote(MaskUrlPassword(*value)); };
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    flag.kind = FlagKind::kStrings;
    flag.option = serve_->add_option(names, field, help);
    flag.value_toml = [value] {
      std::string out = "[";
      for (const std::string& item : *value) out += (out.size() > 1 ? ", " : "") + JsonQuote(MaskUrlPassword(item));
      return out + "]";
    };
  } else {
    static_assert(std::is_integral_v<T>);
    flag.kind = FlagKind::kInteger;
    flag.option = serve_->add_option(names, field, help);
    flag.value_toml = [value] { return std::to_string(*value); };
  }
  if (show_default && flag.kind != FlagKind::kBool && flag.kind != FlagKind::kStrings) {
    flag.option->capture_default_str();
  }
  flags_.push_back(std::move(flag));
}

ServeFlags::ServeFlags(CLI::App* serve, ServeConfig& config) : serve_(serve), config_(config) {
  serve->add_option("--config", config_file_,
                    "TOML file of settings: a key per flag (data_dir = \"...\") and [[streams]] to create at start "
                    "(docs/configuration.md); also RIFFLE_CONFIG");
  serve->add_flag("--print-config", print_config_,
                  "Print the effective configuration (flags, environment, file, defaults; secrets masked) and exit");
  Add("host", config.host, "Address to listen on");
  Add("port", config.port, "Port to listen on (0 picks a free one)");
  Add("data-dir", config.data_dir, "Directory of the durable store");
  Add("in-memory", config.in_memory, "Keep everything in memory (lost on exit)");
  Add("account-id", config.account_id, "Account (12 digits) of requests whose access key --account does not map",
      true, "default-account");
  Add("account", config.accounts,
      "ACCESS_KEY_ID=ACCOUNT: requests signed with that key act in that 12-digit account (repeatable)");
  Add("region", config.region, "Region when a request's SigV4 scope names none");
  Add("create-stream-ms", config.create_stream_ms, "How long a new stream stays CREATING");
  Add("delete-stream-ms", config.delete_stream_ms, "How long a deleted stream stays DELETING");
  Add("update-stream-ms", config.update_stream_ms, "How long a resharded stream stays UPDATING");
  Add("shard-limit", config.shard_limit, "Open shards allowed per account and region");
  Add("s3-endpoint", config.s3_endpoint,
      "Where channels deliver (CreateChannel): an S3-compatible service (http://host:port, path-style) or a "
      "directory (file:///path, a bucket per subdirectory); docs/channels.md");
  Add("s3-access-key-id", config.s3_access_key_id,
      "Access key of --s3-endpoint (default: $AWS_ACCESS_KEY_ID)");
  Add("s3-secret-access-key", config.s3_secret_access_key,
      "Secret key of --s3-endpoint (default: $AWS_SECRET_ACCESS_KEY)");
  // A secret: --print-config shows that it is set, never its value.
  flags_.back().value_toml = [value = &config.s3_secret_access_key] {
    return std::string(value->empty() ? "\"\"" : "\"****\"");
  };
  // Hidden (tests): replaces every channel's DataFreshnessInSeconds (300-900 s) when > 0.
  Add("channel-freshness-ms", config.channel_freshness_ms, "", false);
  flags_.back().option->group("");
  // Hidden (tests): how long a SubscribeToShard lasts; AWS's 5 minutes by default.
  Add("subscription-ms", config.subscription_ms, "", false);
  flags_.back().option->group("");
  Add("sync", config.sync,
      "When a put is acknowledged: always (after fsync, group commit), interval:MS (after the write reaches the "
      "OS; fsync every MS ms), never (no fsync)");
  flags_.back().option->check([](const std::string& v) {
    return ParseSync(v) ? std::string() : std::string("must be always, never or interval:MS");
  });
  Add("block-cache-mib", config.block_cache_mib, "RocksDB block cache in MiB, shared by all data; the durable store only (docs/memory.md)");
  flags_.back().option->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  Add("memtable-mib", config.memtable_mib,
      "MiB of unflushed writes kept in memory (all memtables together); the durable store only (docs/memory.md)");
  flags_.back().option->check(CLI::Range(int64_t{8}, int64_t{1} << 20));
  Add("threads", config.threads, "I/O threads (0: one per core)");
  Add("log-level", config.log_level, "trace, debug, info, warn, error, off");
  flags_.back().option->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  Add("log-format", config.log_format, "Log lines (on standard error) as text or json: one object per line");
  flags_.back().option->check(CLI::IsMember({"text", "json"}));
  Add("access-log", config.access_log,
      "Write a line per API request to this file (- for standard error), as --log-format says; reopened on SIGHUP "
      "(docs/operations.md)");
  Add("tls-cert", config.tls_cert, "PEM certificate chain: also serve https (see `riffle cert`)", false);
  Add("tls-key", config.tls_key, "PEM private key of --tls-cert", false);
  Add("tls-port", config.tls_port, "https port (default: --port + 1; 0 picks a free one); ALPN h2 or http/1.1",
      false);
  Add("nats", config.nats_urls,
      "NATS URLs (nats://host:port, comma-separated): run as a node of a cluster whose streams live in NATS "
      "JetStream (docs/cluster.md); --data-dir, --in-memory and --sync do not apply");
  flags_.back().option->delimiter(',');
  Add("nats-replicas", config.nats_replicas,
      "JetStream replicas of each shard log and of the metadata (1 for a single NATS server)");
  flags_.back().option->check(CLI::Range(1, 5));
  Add("nats-creds", config.nats_creds, "NATS credentials file (JWT and nkey seed)", false);
  Add("nats-tls-ca", config.nats_tls_ca, "CA certificate to verify the NATS servers (turns TLS on)", false);
  Add("nats-tls-cert", config.nats_tls_cert, "Client certificate for NATS (with --nats-tls-key)", false);
  Add("nats-tls-key", config.nats_tls_key, "Client key for NATS", false);
  Add("nats-prefix", config.nats_prefix,
      "Prefix of Riffle's JetStream streams, subjects and buckets (several clusters may share a NATS)");
  Add("tls-only", config.tls_only, "Serve https only (no plaintext port); needs --tls-cert and --tls-key");
  Add("credentials", config.credentials,
      "AWS shared-credentials file of the accepted keys: every request must then carry a valid SigV4 signature "
      "and is authorized (account_id, policy_file per section; docs/security.md). SIGHUP reloads it",
      false);
  Add("max-connections", config.max_connections,
      "Open connections at most; beyond it a new connection is closed at once (0: no limit)");
  flags_.back().option->check(CLI::Range(int64_t{0}, int64_t{1} << 30));
  Add("max-body-bytes", config.max_body_bytes, "Largest request body; a larger one is answered 413 without being read");
  flags_.back().option->check(CLI::Range(int64_t{1024}, int64_t{1} << 32));
  Add("max-header-bytes", config.max_header_bytes,
      "Largest request header block (HTTP/2: header list); larger is answered 431");
  flags_.back().option->check(CLI::Range(int64_t{1024}, int64_t{16} << 20));
  Add("header-timeout", config.header_timeout_s,
      "Seconds a new connection or a started request has to send its whole header (and TLS handshake); slower "
      "clients are dropped");
  flags_.back().option->check(CLI::Range(1, 3600));
  Add("idle-timeout", config.idle_timeout_s,
      "Seconds an idle keep-alive connection (or a stalled body or response) is kept");
  flags_.back().option->check(CLI::Range(1, 86400));
  Add("http2-max-streams", config.http2_max_streams, "Concurrent streams per HTTP/2 connection (more are refused)");
  flags_.back().option->check(CLI::Range(int64_t{1}, int64_t{100000}));
  Add("admin-port", config.admin_port,
      "Port of the admin listener: /health/live, /health/ready, /metrics, POST /backup (-1: off; 0 picks a free "
      "one; docs/operations.md)");
  flags_.back().option->check(CLI::Range(-1, 65535));
  Add("admin-host", config.admin_host, "Address of the admin listener");
  Add("shutdown-delay-ms", config.shutdown_delay_ms,
      "After SIGTERM, keep serving this long with /health/ready answering 503 (load balancers stop sending), "
      "then stop");
  flags_.back().option->check(CLI::Range(int64_t{0}, int64_t{600000}));
  Add("no-console", config.no_console, "Do not serve the web console (/console/) nor count traffic for it");
  Add("enforce-limits", config.enforce_limits,
      "Enforce Kinesis's rate limits: per shard writes 1 MiB/s and 1000 records/s, reads 5 calls/s and 2 MiB/s; "
      "control-plane operations their documented calls per second");
  Add("inject-error", config.inject_errors,
      "OPERATION=FRACTION[:ErrorCode]: that fraction of OPERATION's calls (* for every operation) fail with "
      "ErrorCode (InternalFailure, ServiceUnavailable, ThrottlingException, LimitExceededException, "
      "ProvisionedThroughputExceededException; default InternalFailure) without effect (repeatable)");
  Add("inject-record-failure", config.inject_record_failure,
      "FRACTION[:ErrorCode]: that fraction of PutRecords entries fail (not stored) with ErrorCode "
      "(ProvisionedThroughputExceededException, the default, or InternalFailure)",
      false);
  Add("inject-seed", config.inject_seed, "Seed of the fault injection's random choices");
}

const ServeFlag* ServeFlags::Find(const std::string& key) const {
  for (const ServeFlag& flag : flags_) {
    if (flag.Key() == key) return &flag;
  }
  return nullptr;
}

}  // namespace riffle::app
