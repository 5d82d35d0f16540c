// Connection: one keep-alive HTTP/1.1 connection to a Kinesis endpoint
// (Boost.Beast), sending signed awsJson1_1 requests one at a time.
//
// Async API on C++20 coroutines (asio::awaitable); the connection belongs to
// one executor and must only be used from it. Connects lazily and reconnects
// after a transport error or a "Connection: close" response. Transport errors
// are thrown as boost::system::system_error. SyncClient wraps it for blocking
// use (setup and teardown code).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "base/status.h"
#include "client/sigv4.h"

namespace riffle::client {

struct Endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 4567;
  std::string host_header;  // "host:port"
};
// Parses "http://host:port" (or "host:port"); only plain HTTP.
StatusOr<Endpoint> ParseEndpoint(std::string_view url);

// Opens `socket` to `endpoint` (resolve, connect, TCP_NODELAY), closing
// whatever it had open; and closes it, ignoring errors. Shared by
// Connection and Subscription.
boost::asio::awaitable<void> OpenSocket(boost::asio::ip::tcp::socket& socket, const Endpoint& endpoint);
void CloseSocket(boost::asio::ip::tcp::socket& socket);

struct Response {
  int status = 0;
  std::string body;
};

class Connection {
 public:
  Connection(boost::asio::any_io_executor executor, Endpoint endpoint, Credentials credentials);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `body` as operation `op` and reads the whole response into
  // response(). `payload_sha256_hex` may carry a precomputed Sha256Hex(body).
  boost::asio::awaitable<void> Call(std::string_view op, std::string_view body,
                                    std::string_view payload_sha256_hex = {});

  const Response& response() const { return response_; }
  Response& response() { return response_; }
  // Number of TCP connects so far (1 for a connection that stayed alive).
  uint64_t connects() const { return connects_; }
  void Close();

 private:
  boost::asio::awaitable<void> Connect();

  boost::asio::ip::tcp::socket socket_;
  Endpoint endpoint_;
  SigV4Signer signer_;
  boost::beast::flat_buffer buffer_;
  Response response_;
  bool open_ = false;
  uint64_t connects_ = 0;
};

// Blocking client for setup code: its own io_context, one connection.
class SyncClient {
 public:
  SyncClient(Endpoint endpoint, Credentials credentials);
  ~SyncClient();
  // Transport errors are returned as a Status; HTTP errors as a Response.
  StatusOr<Response> Call(std::string_view op, std::string_view body);

 private:
  boost::asio::io_context io_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace riffle::client
