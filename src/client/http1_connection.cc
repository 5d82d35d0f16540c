#include "client/http1_connection.h"

#include <algorithm>
#include <charconv>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace riffle::kinesis::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// Bytes a body read waits for (SO_RCVLOWAT) while more than that is still
// to come: a 13 MiB GetRecords body then arrives in ~200 reads rather than
// thousands of small ones.
constexpr size_t kBodyReadBytes = 64 * 1024;

void SetReceiveLowWater(AnyStream::Socket& socket, size_t bytes) {
  boost::system::error_code ignored;  // an optimization only
  socket.set_option(asio::socket_base::receive_low_watermark(static_cast<int>(bytes)), ignored);
}

// A failed read: the connection's fault (kNetworkError), or an answer that
// is not HTTP or too large (kInvalidResponse).
Error ReadError(const boost::system::error_code& ec, const Endpoint& endpoint) {
  const bool http_error = ec.category() == http::make_error_code(http::error::bad_version).category();
  const bool malformed = http_error && ec != http::error::end_of_stream && ec != http::error::partial_message;
  return Error(malformed ? ErrorCode::kInvalidResponse : ErrorCode::kNetworkError,
               "reading the answer of " + endpoint.authority + ": " + ec.message());
}

std::string HeaderValue(const http::fields& fields, std::string_view name) {
  auto it = fields.find(beast::string_view(name.data(), name.size()));
  if (it == fields.end()) return {};
  return std::string(it->value());
}

}  // namespace

Http1Connection::Http1Connection(asio::io_context& io, Endpoint endpoint, asio::ssl::context* tls,
                                 ConnectionTimeouts timeouts)
    : strand_(asio::make_strand(io)),
      endpoint_(std::move(endpoint)),
      timeouts_(timeouts),
      stream_(strand_, tls),
      timer_(strand_),
      last_used_(std::chrono::steady_clock::now()) {}

Http1Connection::~Http1Connection() = default;

void Http1Connection::Close() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->closed_ = true;
    self->timer_.cancel();
    self->stream_.Close();
    self->connected_ = false;
  });
}

bool Http1Connection::Reusable(std::chrono::steady_clock::time_point now, std::chrono::milliseconds max_idle) {
  // Only called between exchanges by the pool, which owns the connection
  // then: nothing else touches the stream.
  if (closed_ || !connected_) return !closed_;
  if (now - last_used_ > max_idle) return false;
  return stream_.StillOpen();
}

void Http1Connection::Exchange(HttpRequest request, Done done) {
  asio::post(strand_, [self = shared_from_this(), request = std::move(request), done = std::move(done)]() mutable {
    self->request_ = std::move(request);
    self->done_ = std::move(done);
    self->timed_out_ = false;
    self->Start();
  });
}

void Http1Connection::Arm(std::chrono::milliseconds timeout) {
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the step finished in time
    self->timed_out_ = true;
    self->stream_.Close();
  });
}

void Http1Connection::Start() {
  if (closed_) {
    Finish(Error(ErrorCode::kCancelled, "client closed"), false);
    return;
  }
  if (connected_ && stream_.is_open()) {
    Send();
    return;
  }
  connected_ = false;
  buffer_.clear();
  Arm(timeouts_.connect);
  stream_.AsyncConnect(endpoint_, stream_.tls() ? std::string("\x08http/1.1", 9) : std::string(),
                       [self = shared_from_this()](std::optional<Error> error) {
                         self->timer_.cancel();
                         if (error) {
                           if (self->timed_out_) {
                             error = Error(ErrorCode::kTimeout, "connecting to " + self->endpoint_.authority +
                                                                    " took longer than " +
                                                                    std::to_string(self->timeouts_.connect.count()) +
                                                                    " ms");
                           }
                           self->Fail(std::move(*error));
                           return;
                         }
                         self->connected_ = true;
                         ++self->connects_;
                         self->Send();
                       });
}

void Http1Connection::Send() {
  message_.emplace();
  auto& m = *message_;
  m.method(http::verb::post);
  m.target(request_.target);
  m.version(11);
  m.set(http::field::host, endpoint_.authority);
  for (const auto& [name, value] : request_.headers) m.set(name, value);
  const std::string& body = *request_.body;
  m.body() = beast::span<const char>(body.data(), body.size());
  m.prepare_payload();
  parser_.emplace();
  parser_->body_limit(kMaxResponseBytes);
  Arm(timeouts_.request);
  http::async_write(stream_, m, [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
    if (ec) {
      self->Fail(Error(ErrorCode::kNetworkError, "sending to " + self->endpoint_.authority + ": " + ec.message()));
      return;
    }
    http::async_read_header(self->stream_, self->buffer_, *self->parser_,
                            [self](const boost::system::error_code& ec, size_t) {
                              if (ec) {
                                self->Fail(ReadError(ec, self->endpoint_));
                                return;
                              }
                              // Beast reads as much as the buffer has room for (512 bytes when empty).
                              self->buffer_.reserve(kBodyReadBytes);
                              self->ReadBody();
                            });
  });
}

void Http1Connection::ReadBody() {
  if (parser_->is_done()) {
    if (low_water_raised_) {
      SetReceiveLowWater(stream_.socket(), 1);
      low_water_raised_ = false;
    }
    timer_.cancel();
    auto message = parser_->release();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    response.request_id = HeaderValue(message, "x-amzn-RequestId");
    response.error_type = HeaderValue(message, "x-amzn-ErrorType");
    std::string retry_after = HeaderValue(message, "x-amz-retry-after");
    int64_t ms = 0;
    if (!retry_after.empty()) {
      auto [end, ec] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), ms);
      if (ec == std::errc() && ms >= 0) response.retry_after = std::chrono::milliseconds(ms);
    }
    response.body = std::move(message.body());
    const bool keep_alive = message.keep_alive();
    last_used_ = std::chrono::steady_clock::now();
    if (!keep_alive) {
      stream_.Close();
      connected_ = false;
    }
    Finish(std::move(response), true);
    return;
  }
  auto left = parser_->content_length_remaining();  // boost::optional
  if (!stream_.tls() && left && *left > buffer_.size()) {
    SetReceiveLowWater(stream_.socket(), std::min<uint64_t>(kBodyReadBytes, *left - buffer_.size()));
    low_water_raised_ = true;
  }
  http::async_read_some(stream_, buffer_, *parser_, [self = shared_from_this()](const boost::system::error_code& ec,
                                                                                size_t) {
    if (ec) {
      self->Fail(ReadError(ec, self->endpoint_));
      return;
    }
    self->ReadBody();
  });
}

void Http1Connection::Fail(Error error) {
  timer_.cancel();
  if (closed_) {
    error = Error(ErrorCode::kCancelled, "client closed");
  } else if (timed_out_ && error.code() == ErrorCode::kNetworkError) {
    error = Error(ErrorCode::kTimeout, "no whole answer from " + endpoint_.authority + " within " +
                                           std::to_string(timeouts_.request.count()) + " ms");
  }
  stream_.Close();
  connected_ = false;
  low_water_raised_ = false;
  buffer_.clear();
  Finish(std::move(error), !closed_);
}

void Http1Connection::Finish(Result<HttpResponse> result, bool reusable) {
  message_.reset();
  parser_.reset();
  request_ = HttpRequest();
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(result), reusable && !closed_);
}

}  // namespace riffle::kinesis::internal
