// Subscription: one SubscribeToShard call over its own keep-alive HTTP/1.1
// connection, its event-stream body read as it arrives (chunked transfer
// encoding) and decoded message by message (EventStreamDecoder).
//
//   Subscription s(executor, endpoint, credentials);
//   int status = co_await s.Start(SubscribeToShardBody(arn, shard, "LATEST"));
//   if (status != 200) ... s.error_body() ...
//   EventMessage m;
//   while (co_await s.Next(m)) ...   // initial-response, events, maybe an exception
//
// Like Connection: belongs to one executor, transport errors are thrown as
// boost::system::system_error, a corrupt event stream as std::runtime_error.
// Start() may be called again after the body ended (resubscribing reuses the
// connection when the server kept it alive).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "client/connection.h"
#include "client/event_stream_reader.h"
#include "client/sigv4.h"

namespace riffle::client {

class Subscription {
 public:
  Subscription(boost::asio::any_io_executor executor, Endpoint endpoint, Credentials credentials);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Sends SubscribeToShard with `body` and reads the response head. Returns
  // the HTTP status; for anything but 200 the whole body is read into
  // error_body() and Next() returns false.
  boost::asio::awaitable<int> Start(std::string_view body);
  // The next event-stream message; false once the body has ended.
  boost::asio::awaitable<bool> Next(EventMessage& out);

  const std::string& error_body() const { return error_body_; }
  // Bytes of event-stream body received since Start().
  uint64_t body_bytes() const { return body_bytes_; }
  // Closes the socket; a pending Next() fails with operation_aborted.
  void Close();

 private:
  struct Parser;

  boost::asio::awaitable<void> Connect();

  boost::asio::ip::tcp::socket socket_;
  Endpoint endpoint_;
  SigV4Signer signer_;
  boost::beast::flat_buffer buffer_;
  std::unique_ptr<Parser> parser_;
  EventStreamDecoder decoder_;
  std::string error_body_;
  uint64_t body_bytes_ = 0;
  bool open_ = false;
  bool keep_alive_ = false;
};

}  // namespace riffle::client
