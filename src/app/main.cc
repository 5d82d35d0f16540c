// riffle: a streaming data server that speaks the Amazon Kinesis Data
// Streams API. Subcommands: serve, cert, and the client commands (ls, create,
// rm, describe, put, tail: app/client_commands.h).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "app/cert.h"
#include "app/client_commands.h"
#include "app/serve.h"

// jemalloc's options, read at its start when the binary links it (ignored
// otherwise): a background thread returns freed memory to the system within
// a few seconds instead of whenever the next allocation happens, so RSS falls
// back after a burst even while idle; blocks of any size, GetRecords' 13 MiB
// responses included, are reused while requests keep coming instead of being
// unmapped at once and page-faulted in afresh (docs/memory.md).
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true,dirty_decay_ms:5000,muzzy_decay_ms:0,oversize_threshold:0";
}

int main(int argc, char** argv) {
  CLI::App app{"Riffle: a Kinesis Data Streams compatible server"};
  app.require_subcommand(1);
  riffle::app::ServeConfig config;
  CLI::App* serve = app.add_subcommand("serve", "Run the server");
  serve->add_option("--host", config.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", config.port, "Port to listen on (0 picks a free one)")->capture_default_str();
  serve->add_option("--data-dir", config.data_dir, "Directory of the durable store")->capture_default_str();
  serve->add_flag("--in-memory", config.in_memory, "Keep everything in memory (lost on exit)");
  serve->add_option("--account-id,--default-account", config.account_id,
                    "Account (12 digits) of requests whose access key --account does not map")
      ->capture_default_str();
  serve->add_option("--account", config.accounts,
                    "ACCESS_KEY_ID=ACCOUNT: requests signed with that key act in that 12-digit account "
                    "(repeatable)");
  serve->add_option("--region", config.region, "Region when a request's SigV4 scope names none")
      ->capture_default_str();
  serve->add_option("--create-stream-ms", config.create_stream_ms, "How long a new stream stays CREATING")
      ->capture_default_str();
  serve->add_option("--delete-stream-ms", config.delete_stream_ms, "How long a deleted stream stays DELETING")
      ->capture_default_str();
  serve->add_option("--update-stream-ms", config.update_stream_ms, "How long a resharded stream stays UPDATING")
      ->capture_default_str();
  serve->add_option("--shard-limit", config.shard_limit, "Open shards allowed per account and region")
      ->capture_default_str();
  // Hidden (tests): how long a SubscribeToShard lasts; AWS's 5 minutes by default.
  serve->add_option("--subscription-ms", config.subscription_ms)->group("");
  serve->add_option("--sync", config.sync,
                    "When a put is acknowledged: always (after fsync, group commit), interval:MS (after the "
                    "write reaches the OS; fsync every MS ms), never (no fsync)")
      ->check([](const std::string& v) {
        return riffle::app::ParseSync(v) ? std::string() : std::string("must be always, never or interval:MS");
      })
      ->capture_default_str();
  serve->add_option("--block-cache-mib", config.block_cache_mib,
                    "RocksDB block cache in MiB, shared by all data (docs/memory.md)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
      ->capture_default_str();
  serve->add_option("--memtable-mib", config.memtable_mib,
                    "MiB of unflushed writes kept in memory (all memtables together; docs/memory.md)")
      ->check(CLI::Range(int64_t{8}, int64_t{1} << 20))
      ->capture_default_str();
  serve->add_option("--threads", config.threads, "I/O threads (0: one per core)")->capture_default_str();
  serve->add_option("--log-level", config.log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  serve->add_option("--tls-cert", config.tls_cert, "PEM certificate chain: also serve https (see `riffle cert`)");
  serve->add_option("--tls-key", config.tls_key, "PEM private key of --tls-cert");
  serve->add_option("--tls-port", config.tls_port,
                    "https port (default: --port + 1; 0 picks a free one); ALPN h2 or http/1.1");
  serve->add_option("--nats", config.nats_urls,
                    "NATS URLs (nats://host:port, comma-separated): run as a node of a cluster whose streams live "
                    "in NATS JetStream (docs/cluster.md); --data-dir, --in-memory and --sync do not apply")
      ->delimiter(',');
  serve->add_option("--nats-replicas", config.nats_replicas,
                    "JetStream replicas of each shard log and of the metadata (1 for a single NATS server)")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  serve->add_option("--nats-creds", config.nats_creds, "NATS credentials file (JWT and nkey seed)");
  serve->add_option("--nats-tls-ca", config.nats_tls_ca, "CA certificate to verify the NATS servers (turns TLS on)");
  serve->add_option("--nats-tls-cert", config.nats_tls_cert, "Client certificate for NATS (with --nats-tls-key)");
  serve->add_option("--nats-tls-key", config.nats_tls_key, "Client key for NATS");
  serve->add_option("--nats-prefix", config.nats_prefix,
                    "Prefix of Riffle's JetStream streams, subjects and buckets (several clusters may share a NATS)")
      ->capture_default_str();
  serve->add_flag("--tls-only", config.tls_only,
                  "Serve https only (no plaintext port); needs --tls-cert and --tls-key");
  serve->add_option("--credentials", config.credentials,
                    "AWS shared-credentials file of the accepted keys: every request must then carry a valid "
                    "SigV4 signature and is authorized (account_id, policy_file per section; docs/security.md). "
                    "SIGHUP reloads it");
  serve->add_option("--max-connections", config.max_connections,
                    "Open connections at most; beyond it a new connection is closed at once (0: no limit)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30))
      ->capture_default_str();
  serve->add_option("--max-body-bytes", config.max_body_bytes,
                    "Largest request body; a larger one is answered 413 without being read")
      ->check(CLI::Range(int64_t{1024}, int64_t{1} << 32))
      ->capture_default_str();
  serve->add_option("--max-header-bytes", config.max_header_bytes,
                    "Largest request header block (HTTP/2: header list); larger is answered 431")
      ->check(CLI::Range(int64_t{1024}, int64_t{16} << 20))
      ->capture_default_str();
  serve->add_option("--header-timeout", config.header_timeout_s,
                    "Seconds a new connection or a started request has to send its whole header "
                    "(and TLS handshake); slower clients are dropped")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve->add_option("--idle-timeout", config.idle_timeout_s,
                    "Seconds an idle keep-alive connection (or a stalled body or response) is kept")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve->add_option("--http2-max-streams", config.http2_max_streams,
                    "Concurrent streams per HTTP/2 connection (more are refused)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();

  serve->add_flag("!--no-console", config.console,
                  "Do not serve the web console (/console/) nor count traffic for it");
  serve->add_flag("--enforce-limits", config.enforce_limits,
                  "Enforce Kinesis's rate limits: per shard writes 1 MiB/s and 1000 records/s, reads 5 calls/s "
                  "and 2 MiB/s; control-plane operations their documented calls per second");
  serve->add_option("--inject-error", config.inject_errors,
                    "OPERATION=FRACTION[:ErrorCode]: that fraction of OPERATION's calls (* for every operation) "
                    "fail with ErrorCode (InternalFailure, ServiceUnavailable, ThrottlingException, "
                    "LimitExceededException, ProvisionedThroughputExceededException; default InternalFailure) "
                    "without effect (repeatable)");
  serve->add_option("--inject-record-failure", config.inject_record_failure,
                    "FRACTION[:ErrorCode]: that fraction of PutRecords entries fail (not stored) with ErrorCode "
                    "(ProvisionedThroughputExceededException, the default, or InternalFailure)");
  serve->add_option("--inject-seed", config.inject_seed, "Seed of the fault injection's random choices")
      ->capture_default_str();

  riffle::app::CertConfig cert_config;
  CLI::App* cert = app.add_subcommand("cert", "Write a self-signed certificate and key for https");
  cert->add_option("--out-dir", cert_config.out_dir, "Directory for riffle.crt and riffle.key")
      ->capture_default_str();
  std::vector<std::string> sans;
  cert->add_option("--san", sans, "Subject alternative name (DNS name or IP), repeatable "
                                  "(default: localhost and 127.0.0.1)");
  cert->add_option("--days", cert_config.days, "Validity in days")->capture_default_str();
  riffle::app::ClientCommands client_commands(app);
  CLI11_PARSE(app, argc, argv);
  if (auto code = client_commands.Run()) return *code;
  if (cert->parsed()) {
    if (!sans.empty()) cert_config.sans = sans;
    return riffle::app::Cert(cert_config);
  }
  return riffle::app::Serve(config);
}
