// The JetStream store: store::Store over NATS JetStream, so that any number
// of Riffle nodes share one set of streams (`riffle serve --nats`).
//
// Every record log is a JetStream stream, metadata lives in two KV buckets;
// the layout is docs/storage-format.md ("JetStream layout"), the design and
// costs docs/cluster-store.md. A store object holds one NATS connection and
// keeps in memory only caches (read consumers, in-flight publishes, the
// hidden ranges of sealed logs it trimmed): any node may die at any moment.
// Thread-safe, like every Store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::jetstream {

struct JetStreamOptions {
  std::vector<std::string> urls;  // nats://host:port (tls:// for TLS); at least one
  int replicas = 3;               // JetStream replicas of every stream and bucket (1..5)
  std::string creds_file;         // NATS user credentials (JWT + nkey seed), optional
  std::string tls_ca_file;        // CA to verify the servers with; turns TLS on
  std::string tls_cert_file;      // client certificate chain (with tls_key_file), optional
  std::string tls_key_file;
  std::string prefix = "riffle";  // names of streams, subjects and buckets ([a-zA-Z0-9_-]+)
  std::string node_name;          // the connection's name, shown by the servers

  int64_t connect_timeout_ms = 5000;   // first connection to any of `urls`
  int64_t request_timeout_ms = 2000;   // one JetStream request or publish acknowledgement
  // How long an operation retries through timeouts, leader elections and
  // reconnects (with the same message id) before it fails with kUnavailable.
  int64_t retry_budget_ms = 12000;
  int64_t duplicate_window_ms = 120000;  // of every log stream; > retry_budget_ms
  // FindByArrival scans messages stored up to this long before the wanted
  // arrival time (arrival times are given by nodes, stream times by leaders).
  int64_t arrival_skew_ms = 2000;
  int max_read_consumers = 64;   // pooled pull consumers kept for sequential readers
  int threads = 4;               // the store's own threads (reads, metadata, retries)
  int64_t ephemeral_ttl_ms = kEphemeralTtlMs;  // the lease bucket's TTL (tests shorten it)
};

// Connects to NATS, checks JetStream answers, and creates the metadata
// buckets if they do not exist. Fails with kUnavailable when no server or no
// JetStream quorum answers within the timeouts, kInvalidArgument on bad
// options.
StatusOr<std::unique_ptr<Store>> Open(const JetStreamOptions& options);

}  // namespace riffle::store::jetstream
