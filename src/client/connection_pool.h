// ConnectionPool: a Client's keep-alive HTTP/1.1 connections to its
// endpoint. Acquire hands out an idle connection that is still open, else a
// new one while fewer than `max_connections` exist, else queues the caller
// until one is released (first come, first served). Thread-safe; callbacks
// run outside the pool's lock. Internal to libriffle-kinesis.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "client/endpoint.h"
#include "client/http1_connection.h"

namespace riffle::kinesis::internal {

class ConnectionPool {
 public:
  // Idle connections unused for longer are closed rather than reused (servers
  // close idle keep-alive connections after a while; AWS after ~350 s).
  static constexpr std::chrono::milliseconds kMaxIdle{50000};

  ConnectionPool(boost::asio::io_context& io, Endpoint endpoint, boost::asio::ssl::context* tls,
                 size_t max_connections, ConnectionTimeouts timeouts);
  ~ConnectionPool();

  // `lease(connection)`, now or once one is free; nullptr once the pool is
  // closed.
  using Lease = std::function<void(std::shared_ptr<Http1Connection>)>;
  void Acquire(Lease lease);
  // Gives a connection back; `reusable` false drops it (closed).
  void Release(std::shared_ptr<Http1Connection> connection, bool reusable);
  // Closes every connection, idle or busy, and fails queued and future
  // Acquires with nullptr.
  void Close();

  size_t open_connections() const;

 private:
  std::shared_ptr<Http1Connection> NewConnection();  // REQUIRES: mutex_ held

  boost::asio::io_context& io_;
  const Endpoint endpoint_;
  boost::asio::ssl::context* const tls_;
  const size_t max_connections_;
  const ConnectionTimeouts timeouts_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Http1Connection>> idle_;  // guarded by mutex_; most recently used last
  std::vector<std::weak_ptr<Http1Connection>> all_;     // guarded by mutex_; for Close()
  std::deque<Lease> waiting_;                           // guarded by mutex_
  size_t open_ = 0;                                     // guarded by mutex_; idle + leased
  bool closed_ = false;                                 // guarded by mutex_
};

}  // namespace riffle::kinesis::internal
