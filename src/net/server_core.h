// Internals of HttpServer (http_server.h): the state shared by the listeners
// and every connection of one server. Not part of the public API.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "net/http_server.h"
#include "net/http_types.h"
#include "net/session.h"

namespace riffle::net::internal {

// State shared by the listener and every connection of one server.
//
// Lifetime: owned by shared_ptr. HttpServer holds one reference, and so does
// every ResponseSender handed to the RequestHandler, so the io_context stays
// alive for as long as a sender may still post to it. Connections hold a raw
// pointer: a connection only exists inside the io_context (its handlers) or
// in the registry below, both of which die with the ServerCore.
// Thread-safe.
class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(const ServerOptions& options, RequestHandler& handler);
  ServerCore(const ServerCore&) = delete;
  ServerCore& operator=(const ServerCore&) = delete;

  boost::asio::io_context& ioc() { return ioc_; }
  const ServerOptions& options() const { return options_; }
  RequestHandler& handler() { return handler_; }

  // True once Stop() began: connections stop reading new requests.
  bool stopping() const { return stopping_.load(); }
  void SetStopping() { stopping_.store(true); }

  // Adds a live connection. Returns false (and does not add it) when the
  // server is stopping; the caller then drops the connection.
  bool Register(std::shared_ptr<Session> connection);
  // Removes a connection (no-op if absent).
  void Unregister(Session* connection);
  // Snapshot of the live connections.
  std::vector<std::shared_ptr<Session>> Connections();
  // Open connections: registered sessions plus TLS handshakes under way
  // (compared with ServerOptions::max_connections at accept).
  size_t ConnectionCount();
  void BeginHandshake() { handshakes_.fetch_add(1); }
  void EndHandshake() { handshakes_.fetch_sub(1); }

  // In-flight requests: handed to the handler, response not yet written.
  void BeginRequest() { in_flight_.fetch_add(1); }
  void EndRequest();
  int64_t in_flight() const { return in_flight_.load(); }

  // Stop() bookkeeping: the number of Connection::Shutdown() calls whose
  // strand work has not run yet.
  void AddPendingShutdowns(int64_t n) { pending_shutdowns_.fetch_add(n); }
  void ShutdownDone();

  // Waits until no request is in flight and all shutdowns ran, or until
  // `deadline`. Returns true when idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  // Waits until the registry is empty or until `deadline`.
  bool WaitNoConnections(std::chrono::steady_clock::time_point deadline);

 private:
  void Notify();

  // Declared first so that it is destroyed last: handlers still queued in it
  // (holding connections) are destroyed while the rest is gone already,
  // which is fine because a Session's destructor does not use ServerCore.
  boost::asio::io_context ioc_;
  const ServerOptions options_;
  RequestHandler& handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> pending_shutdowns_{0};
  std::atomic<int64_t> handshakes_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Session*, std::shared_ptr<Session>> connections_;  // guarded by mu_
};

}  // namespace riffle::net::internal
