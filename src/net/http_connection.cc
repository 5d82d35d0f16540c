#include "net/http_connection.h"

#include <strings.h>

#include <array>
#include <charconv>
#include <ctime>
#include <exception>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include "base/buffer_cache.h"
#include "net/http2_session.h"

namespace riffle::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using beast::error_code;

namespace {

constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr size_t kDetectChunk = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kDrainChunk = 64 * 1024;
constexpr size_t kMaxIdleBufferCapacity = 1024 * 1024;
constexpr size_t kLargeBody = 1024 * 1024;
constexpr int kLargeSendBuffer = 4 * 1024 * 1024;  // the kernel's usual net.core.wmem_max

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Reason(int status) {
  http::status s = http::int_to_status(static_cast<unsigned>(status));
  if (s == http::status::unknown) return "Unknown";
  beast::string_view r = http::obsolete_reason(s);
  return {r.data(), r.size()};
}

// "Date: <IMF-fixdate>\r\n", recomputed at most once a second per thread.
std::string_view DateLine() {
  thread_local std::time_t cached_second = 0;
  thread_local char line[64];
  thread_local size_t line_size = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    line_size = std::strftime(line, sizeof(line), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    cached_second = now;
  }
  return {line, line_size};
}

void AppendNumber(std::string& out, uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, static_cast<size_t>(end - digits));
}

// True for parse errors of the request itself (answered with 400), as
// opposed to the peer going away or limits (handled separately).
bool IsMalformed(const error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return false;
  return ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more && ec != http::error::buffer_overflow &&
         ec != http::error::header_limit && ec != http::error::body_limit;
}

}  // namespace

// ---------------------------------------------------------------------------
// RequestParser

void RequestParser::on_request_impl(http::verb method, StringView method_str, StringView target,
                                    int version, ErrorCode&) {
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
  version_ = version;
  is_head_ = method == http::verb::head;
}

void RequestParser::on_field_impl(http::field name, StringView name_string, StringView value,
                                  ErrorCode&) {
  if (name == http::field::expect && EqualsIgnoreCase({value.data(), value.size()}, "100-continue")) {
    expect_continue_ = true;
  }
  request_.headers.emplace_back(std::piecewise_construct,
                                std::forward_as_tuple(name_string.data(), name_string.size()),
                                std::forward_as_tuple(value.data(), value.size()));
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      ErrorCode&) {
  // Already checked against body_limit() by basic_parser. A large body is
  // read into a buffer an earlier request gave back (http_types.h).
  if (!content_length) return;
  const size_t size = static_cast<size_t>(*content_length);
  if (size >= BufferCache::kMinCapacity && request_.body.capacity() < size) {
    BufferCache::Global().Give(std::move(request_.body));
    request_.body = BufferCache::Global().Take(size);
  }
  request_.body.reserve(size);
}

std::size_t RequestParser::on_body_impl(StringView body, ErrorCode&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, StringView body, ErrorCode&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

// ---------------------------------------------------------------------------
// Connection

template <class Stream>
Connection<Stream>::Connection(ServerCore* core, Stream stream)
    : core_(core), stream_(std::move(stream)) {
  head_.reserve(512);
}

template <class Stream>
void Connection<Stream>::Start() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->DoDetect(); });
}

template <class Stream>
void Connection<Stream>::Shutdown() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
    self->shutdown_ = true;
    if (!self->awaiting_response_ && !self->writing_) self->Close();
    if (self->stream_waiting_) self->OnStreamWake();  // ends a streamed body
    self->core_->ShutdownDone();
  });
}

template <class Stream>
void Connection<Stream>::ForceClose() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
}

template <class Stream>
void Connection<Stream>::ArmTimer(int seconds) {
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(seconds));
}

template <class Stream>
void Connection<Stream>::DoDetect() {
  if (closed_) return;
  if (shutdown_ || core_->stopping()) {
    Close();
    return;
  }
  const size_t have = buffer_.size();
  const size_t n = std::min(have, kHttp2Preface.size());
  if (std::string_view(static_cast<const char*>(buffer_.data().data()), n) != kHttp2Preface.substr(0, n)) {
    detecting_ = false;  // HTTP/1.1: the parser continues from the buffered bytes
    return DoReadHeader();
  }
  if (have >= kHttp2Preface.size()) return SwitchToHttp2();
  // A new connection must begin (and finish) its first header in time.
  ArmTimer(core_->options().header_timeout_seconds);
  stream_.async_read_some(buffer_.prepare(kDetectChunk),
                          [self = this->shared_from_this()](error_code ec, std::size_t bytes) {
                            if (ec) return self->OnReadError(ec);
                            self->buffer_.commit(bytes);
                            self->DoDetect();
                          });
}

template <class Stream>
void Connection<Stream>::SwitchToHttp2() {
  // The HTTP/2 session takes the stream and the bytes read so far; this
  // connection leaves the registry without touching the socket again.
  std::string initial(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  beast::get_lowest_layer(stream_).expires_never();
  auto session = std::make_shared<Http2Session<Stream>>(core_, std::move(stream_), std::move(initial));
  closed_ = true;
  if (core_->Register(session)) session->Start();
  core_->Unregister(this);
}

template <class Stream>
void Connection<Stream>::DoReadHeader() {
  if (closed_) return;
  if (shutdown_ || core_->stopping()) {
    Close();
    return;
  }
  if (buffer_.size() == 0) return DoAwaitRequest();
  request_.method.clear();
  request_.target.clear();
  request_.headers.clear();
  request_.body.clear();
  parser_.emplace(request_);
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(core_->options().max_header_bytes, UINT32_MAX)));
  parser_->body_limit(static_cast<std::uint64_t>(core_->options().max_body_bytes));
  // From its first byte, the whole header must arrive within the header
  // timeout: a client trickling bytes (slowloris) is dropped.
  ArmTimer(core_->options().header_timeout_seconds);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Connection<Stream>::OnReadHeader, this->shared_from_this()));
}

template <class Stream>
void Connection<Stream>::DoAwaitRequest() {
  if (buffer_.capacity() > kMaxIdleBufferCapacity) buffer_.shrink_to_fit();
  ArmTimer(core_->options().idle_timeout_seconds);
  stream_.async_read_some(buffer_.prepare(kDetectChunk),
                          [self = this->shared_from_this()](error_code ec, std::size_t bytes) {
                            if (ec) return self->OnReadError(ec);
                            self->buffer_.commit(bytes);
                            self->DoReadHeader();
                          });
}

template <class Stream>
void Connection<Stream>::OnReadHeader(error_code ec, std::size_t) {
  if (ec) return OnReadError(ec);
  if (closed_) return;
  if (parser_->is_done()) return Dispatch();
  if (parser_->expect_continue() && parser_->version() >= 11) {
    ArmTimer(core_->options().idle_timeout_seconds);
    asio::async_write(stream_, asio::const_buffer(kContinue.data(), kContinue.size()),
                      beast::bind_front_handler(&Connection<Stream>::OnContinueWritten, this->shared_from_this()));
    return;
  }
  DoReadBody();
}

template <class Stream>
void Connection<Stream>::OnContinueWritten(error_code ec, std::size_t) {
  if (ec || closed_) return Close();
  DoReadBody();
}

template <class Stream>
void Connection<Stream>::DoReadBody() {
  // A fresh deadline for the body: a client that stalls mid-body times out.
  ArmTimer(core_->options().idle_timeout_seconds);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Connection<Stream>::OnReadBody, this->shared_from_this()));
}

template <class Stream>
void Connection<Stream>::OnReadBody(error_code ec, std::size_t) {
  if (ec) return OnReadError(ec);
  if (closed_) return;
  Dispatch();
}

template <class Stream>
void Connection<Stream>::OnReadError(error_code ec) {
  if (closed_) return;
  if (ec == http::error::header_limit) return WriteErrorAndClose(431, "Request header fields too large");
  if (ec == http::error::body_limit) return WriteErrorAndClose(413, "Request entity too large");
  if (IsMalformed(ec)) return WriteErrorAndClose(400, "Malformed HTTP request");
  // end_of_stream, timeout, reset, aborted: the peer is gone or idle.
  Close();
}

template <class Stream>
void Connection<Stream>::Dispatch() {
  beast::get_lowest_layer(stream_).expires_never();
  version_ = parser_->version();
  keep_alive_ = parser_->keep_alive();
  is_head_ = parser_->is_head();
  ++seq_;
  awaiting_response_ = true;
  core_->BeginRequest();
  request_.tls = !std::is_same_v<Stream, beast::tcp_stream>;
  try {
    core_->handler().Handle(std::move(request_), MakeSender());
  } catch (const std::exception& e) {
    spdlog::error("http: request handler threw: {}", e.what());
    OnResponse(seq_, HttpResponse{500, {}, R"({"message":"Internal server error"})"});
  } catch (...) {
    spdlog::error("http: request handler threw a non-std exception");
    OnResponse(seq_, HttpResponse{500, {}, R"({"message":"Internal server error"})"});
  }
}

template <class Stream>
ResponseSender Connection<Stream>::MakeSender() {
  // Holds the ServerCore (keeps the io_context alive for the post) but only a
  // weak reference to the connection, so a sender that is never called does
  // not keep a closed connection around.
  return [core = core_->shared_from_this(), weak = this->weak_from_this(),
          seq = seq_](HttpResponse response) {
    std::shared_ptr<Connection> self = weak.lock();
    if (!self) return;  // connection closed meanwhile: drop the response
    auto executor = self->stream_.get_executor();
    asio::post(executor, [self = std::move(self), seq, response = std::move(response)]() mutable {
      self->OnResponse(seq, std::move(response));
    });
  };
}

template <class Stream>
void Connection<Stream>::OnResponse(uint64_t seq, HttpResponse response) {
  // Drops duplicates and responses for a connection that closed meanwhile
  // (Close() already ended the in-flight request).
  if (closed_ || !awaiting_response_ || seq != seq_) return;
  awaiting_response_ = false;
  writing_ = true;
  if (shutdown_ || core_->stopping()) keep_alive_ = false;
  response_ = std::move(response);
  SerializeHead();
  if (response_.stream) return StartStreamedBody();
  if (response_.body.size() >= kLargeBody && !large_send_buffer_) {
    // Lets a multi-megabyte body leave in a few large writes instead of
    // hundreds of socket-buffer-sized ones (each a wake-up and system calls).
    large_send_buffer_ = true;
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().set_option(asio::socket_base::send_buffer_size(kLargeSendBuffer), ignored);
  }
  ArmTimer(core_->options().idle_timeout_seconds);
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    std::array<asio::const_buffer, 2> buffers = {
        asio::const_buffer(head_.data(), head_.size()),
        asio::const_buffer(response_.body.data(), is_head_ ? 0 : response_.body.size())};
    asio::async_write(stream_, buffers,
                      beast::bind_front_handler(&Connection<Stream>::OnWrite, this->shared_from_this()));
  } else {
    // TLS: one contiguous buffer. A head + body sequence written through
    // beast::ssl_stream stalled after the head (observed with Boost 1.74);
    // TLS copies the bytes into records anyway.
    if (!is_head_) head_.append(response_.body);
    asio::async_write(stream_, asio::buffer(head_),
                      beast::bind_front_handler(&Connection<Stream>::OnWrite, this->shared_from_this()));
  }
}

template <class Stream>
void Connection<Stream>::SerializeHead() {
  head_.clear();
  head_.append(version_ >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  AppendNumber(head_, static_cast<uint64_t>(response_.status));
  head_.push_back(' ');
  head_.append(Reason(response_.status));
  head_.append("\r\n");
  bool has_date = false;
  for (const auto& [name, value] : response_.headers) {
    // The server owns framing and connection management.
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
        EqualsIgnoreCase(name, "Transfer-Encoding")) {
      continue;
    }
    if (EqualsIgnoreCase(name, "Date")) has_date = true;
    head_.append(name);
    head_.append(": ");
    head_.append(value);
    head_.append("\r\n");
  }
  if (!has_date) head_.append(DateLine());
  if (!response_.stream) {
    head_.append("Content-Length: ");
    AppendNumber(head_, response_.body.size());
    head_.append("\r\n");
  } else if (version_ >= 11) {
    head_.append("Transfer-Encoding: chunked\r\n");
  } else {
    keep_alive_ = false;  // HTTP/1.0: the body ends with the connection
  }
  if (!keep_alive_) {
    head_.append("Connection: close\r\n");
  } else if (version_ < 11) {
    head_.append("Connection: keep-alive\r\n");
  }
  head_.append("\r\n");
}

template <class Stream>
void Connection<Stream>::OnWrite(error_code ec, std::size_t) {
  writing_ = false;
  core_->EndRequest();
  BufferCache::Global().Give(std::move(response_.body));  // a large body serves the next one
  response_.body.clear();
  response_.headers.clear();
  if (head_.capacity() > kMaxIdleBufferCapacity) {
    // Held a TLS response body: do not keep megabytes per idle connection.
    head_.clear();
    head_.shrink_to_fit();
  }
  if (ec || closed_) return Close();
  if (!keep_alive_ || shutdown_ || core_->stopping()) {
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    return Close();
  }
  DoReadHeader();
}

template <class Stream>
void Connection<Stream>::WriteErrorAndClose(int status, const char* message) {
  keep_alive_ = false;
  version_ = 11;
  is_head_ = false;
  response_.status = status;
  response_.headers.clear();
  response_.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  response_.body = std::string(R"({"message":")") + message + "\"}";
  SerializeHead();
  head_.append(response_.body);  // one buffer (see OnResponse)
  ArmTimer(core_->options().idle_timeout_seconds);
  asio::async_write(stream_, asio::buffer(head_),
                    beast::bind_front_handler(&Connection<Stream>::OnErrorWritten, this->shared_from_this()));
}

template <class Stream>
void Connection<Stream>::OnErrorWritten(error_code ec, std::size_t) {
  if (ec || closed_) return Close();
  // Half-close, then discard what the client is still sending (e.g. the rest
  // of an oversized body) for a bounded time, so that closing does not reset
  // the connection before the client has read the error response.
  error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  beast::get_lowest_layer(stream_).expires_after(kLingerTimeout);
  buffer_.clear();
  DoDrain();
}

template <class Stream>
void Connection<Stream>::DoDrain() {
  stream_.async_read_some(buffer_.prepare(kDrainChunk),
                          [self = this->shared_from_this()](error_code ec, std::size_t) {
                            if (ec || self->closed_) return self->Close();
                            self->DoDrain();
                          });
}

template <class Stream>
void Connection<Stream>::Close() {
  if (closed_) return;
  closed_ = true;
  if (body_stream_) {
    body_stream_->Cancel();
    body_stream_.reset();
  }
  if (stream_timer_) stream_timer_->cancel();
  if (awaiting_response_) {
    // The handler's response, if it ever comes, is dropped.
    awaiting_response_ = false;
    core_->EndRequest();
  }
  error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).close();
  core_->Unregister(this);
}

template class Connection<beast::tcp_stream>;
template class Connection<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace riffle::net::internal
