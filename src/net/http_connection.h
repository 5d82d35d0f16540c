// Internals of HttpServer (http_server.h): the state shared by all
// connections of one server (ServerCore) and one accepted connection
// (Connection). Not part of the public API; only http_server.cc and the
// tests of this directory include it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include "net/http_server.h"
#include "net/http_types.h"

namespace riffle::net::internal {

class Connection;

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
  bool Register(std::shared_ptr<Connection> connection);
  // Removes a connection (no-op if absent).
  void Unregister(Connection* connection);
  // Snapshot of the live connections.
  std::vector<std::shared_ptr<Connection>> Connections();

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
  // which is fine because Connection's destructor does not use ServerCore.
  boost::asio::io_context ioc_;
  const ServerOptions options_;
  RequestHandler& handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> pending_shutdowns_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

// Incremental parser that fills an HttpRequest directly (no intermediate
// beast::http::fields, which would allocate per header).
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // `request` must outlive the parser; it is filled as bytes are parsed.
  explicit RequestParser(HttpRequest& request) : request_(request) {}

  int version() const { return version_; }
  bool expect_continue() const { return expect_continue_; }
  bool is_head() const { return is_head_; }

 private:
  using ErrorCode = boost::beast::error_code;
  using StringView = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, StringView method_str,
                       StringView target, int version, ErrorCode& ec) override;
  void on_response_impl(int, StringView, int, ErrorCode&) override {}
  void on_field_impl(boost::beast::http::field name, StringView name_string,
                     StringView value, ErrorCode& ec) override;
  void on_header_impl(ErrorCode&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         ErrorCode& ec) override;
  std::size_t on_body_impl(StringView body, ErrorCode& ec) override;
  void on_chunk_header_impl(std::uint64_t, StringView, ErrorCode&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, StringView body, ErrorCode& ec) override;
  void on_finish_impl(ErrorCode&) override {}

  HttpRequest& request_;
  int version_ = 11;
  bool expect_continue_ = false;
  bool is_head_ = false;
};

// One accepted TCP connection: reads a request, hands it to the handler,
// writes the response, repeats while keep-alive.
//
// Thread-safety: every member function except Start(), Shutdown(),
// ForceClose() and the ResponseSender runs on the connection's strand (the
// executor of `stream_`); those four only post onto it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore* core, boost::asio::ip::tcp::socket socket);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Begins reading the first request.
  void Start();
  // Graceful stop: closes now if no request is in flight, otherwise after
  // its response was written. Calls core->ShutdownDone() once it ran.
  void Shutdown();
  // Closes the socket now (a pending response is dropped).
  void ForceClose();

 private:
  void DoReadHeader();
  void OnReadHeader(boost::beast::error_code ec, std::size_t bytes);
  void OnContinueWritten(boost::beast::error_code ec, std::size_t bytes);
  void DoReadBody();
  void OnReadBody(boost::beast::error_code ec, std::size_t bytes);
  void OnReadError(boost::beast::error_code ec);
  void Dispatch();
  ResponseSender MakeSender();
  void OnResponse(uint64_t seq, HttpResponse response);
  void OnWrite(boost::beast::error_code ec, std::size_t bytes);
  // Writes a small JSON error response, then closes (after draining input).
  void WriteErrorAndClose(int status, const char* message);
  void OnErrorWritten(boost::beast::error_code ec, std::size_t bytes);
  void DoDrain();
  void Close();
  // Serializes the status line and headers of `response_` into `head_`.
  void SerializeHead();
  void ArmTimer();

  ServerCore* const core_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;  // may hold pipelined bytes between requests
  HttpRequest request_;
  std::optional<RequestParser> parser_;  // re-emplaced for every request
  HttpResponse response_;  // being written
  std::string head_;       // serialized status line + headers of response_
  uint64_t seq_ = 0;       // id of the current request, checked by senders
  int version_ = 11;       // of the current request
  bool keep_alive_ = true;
  bool is_head_ = false;
  bool awaiting_response_ = false;  // handed to the handler, no response yet
  bool writing_ = false;            // response write in progress
  bool shutdown_ = false;           // close after the current response
  bool closed_ = false;
};

}  // namespace riffle::net::internal
