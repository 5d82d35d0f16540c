// HttpServer: the listener (Boost.Beast and nghttp2 on Asio).
//
// Accepts connections on host:port, reads requests with keep-alive, passes
// each whole request to a RequestHandler and writes the response it sends.
// On the plain port a connection speaks HTTP/1.1, or HTTP/2 when it opens
// with the HTTP/2 preface (h2c with prior knowledge, as the AWS SDK for
// JavaScript v3 does). With a TLS certificate, a second listener on
// host:tls_port speaks https; ALPN picks "h2" or "http/1.1".
// With tls_only there is no plaintext listener.
// Owns its io_context and `threads` I/O threads. Thread-safe: Start(),
// ReloadTls() and Stop() may be called from any thread (Stop() not from an
// I/O thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "net/http_types.h"

namespace riffle::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4567;          // 0 picks a free port
  int threads = 2;               // I/O threads
  size_t max_body_bytes = 32 * 1024 * 1024;   // larger bodies get 413 (not read)
  size_t max_header_bytes = 64 * 1024;        // larger header blocks get 431 (h2: header list size)
  int idle_timeout_seconds = 300;             // idle keep-alive connections are closed
  // Limits against hostile clients (docs/hostile-input.md).
  // Open connections (TCP and TLS, counting handshakes); a connection beyond
  // it is accepted and closed at once, the ones already open keep working.
  // 0: no limit.
  size_t max_connections = 1024;
  // A request header (HTTP/1.1) must be complete within this many seconds of
  // the connection opening or of its first byte; slower clients are dropped.
  int header_timeout_seconds = 20;
  uint32_t http2_max_concurrent_streams = 128;  // per HTTP/2 connection
  // TLS listener: enabled when tls_cert_file is set (PEM chain, leaf first;
  // tls_key_file: its PEM private key).
  std::string tls_cert_file;
  std::string tls_key_file;
  uint16_t tls_port = 0;         // 0 picks a free port
  // Serve https only: no plaintext listener (REQUIRES: tls_cert_file).
  bool tls_only = false;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler& handler);
  ~HttpServer();  // calls Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens, then starts the I/O threads. Fails (without throwing)
  // when the address cannot be bound.
  Status Start();
  // The bound port (useful with port 0). REQUIRES: Start() succeeded.
  uint16_t port() const;
  // The bound TLS port, or 0 without TLS. REQUIRES: Start() succeeded.
  uint16_t tls_port() const;
  // Open connections (with TLS handshakes under way) and requests being
  // handled now, for /metrics. REQUIRES: Start() succeeded.
  size_t open_connections() const;
  int64_t in_flight() const;
  // Reads the TLS certificate and key files again: connections accepted
  // from now on use them, open connections keep theirs. On failure the old
  // ones stay in use. No-op without TLS. REQUIRES: Start() succeeded.
  Status ReloadTls();
  // Stops accepting, lets requests already being handled finish and their
  // responses be written (waiting at most `grace_ms`), closes connections and
  // joins the I/O threads. Idempotent.
  void Stop(int grace_ms = 10000);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace riffle::net
