// Internals of HttpServer (http_server.h): one accepted HTTP/1.1 connection
// (Connection), over TCP or TLS. Not part of the public API.
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
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include "net/http_server.h"
#include "net/http_types.h"
#include "net/server_core.h"
#include "net/session.h"

namespace riffle::net::internal {

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

// One accepted connection speaking HTTP/1.1: reads a request, hands it to the
// handler, writes the response, repeats while keep-alive. `Stream` is
// beast::tcp_stream or beast::ssl_stream<beast::tcp_stream> (explicitly
// instantiated in http_connection.cc).
//
// HTTP/2 detection: before the first request the connection peeks at the
// first bytes; when they are the HTTP/2 connection preface ("PRI * HTTP/2.0",
// h2c with prior knowledge) it hands the stream to an Http2Session and
// steps aside. Later requests pay nothing for it.
//
// Thread-safety: every member function except Start(), Shutdown(),
// ForceClose() and the ResponseSender runs on the connection's strand (the
// executor of `stream_`); those four only post onto it.
template <class Stream>
class Connection final : public Session, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(ServerCore* core, Stream stream);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Begins reading the first request.
  void Start() override;
  // Graceful stop: closes now if no request is in flight, otherwise after
  // its response was written. Calls core->ShutdownDone() once it ran.
  void Shutdown() override;
  // Closes the socket now (a pending response is dropped).
  void ForceClose() override;

 private:
  // Reads until the first bytes tell HTTP/2 preface from HTTP/1.1.
  void DoDetect();
  void SwitchToHttp2();
  // Waits (up to the idle timeout) for the first byte of the next request.
  void DoAwaitRequest();
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
  void ArmTimer(int seconds);
  // A streamed response body (HttpResponse::stream), chunk by chunk, each
  // pulled after the previous one was written (http_connection_stream.cc).
  void StartStreamedBody();
  void PumpStream();
  void OnStreamWritten(boost::beast::error_code ec, std::size_t bytes);
  void OnStreamWake();
  void FinishStreamedBody();

  ServerCore* const core_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;  // may hold pipelined bytes between requests
  bool large_send_buffer_ = false;    // the socket's send buffer was raised for large bodies
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
  bool detecting_ = true;           // before the first request: HTTP/2 preface?
  std::shared_ptr<protocol::BodyStream> body_stream_;  // being streamed
  std::optional<boost::asio::steady_timer> stream_timer_;
  std::string stream_frame_;       // chunk being written
  bool stream_waiting_ = false;    // body_stream_ said kWait
  bool stream_last_ = false;       // stream_frame_ ends the body
};

}  // namespace riffle::net::internal
