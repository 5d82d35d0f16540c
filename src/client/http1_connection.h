// Http1Connection: one keep-alive HTTP/1.1 connection (plain or TLS) that
// carries one request at a time: connect on first use, write the request,
// read the whole response, each step under a deadline.
//
// All its work runs on its own strand; Exchange may be called from any
// thread (it posts), Close() too. The connection keeps itself alive
// (shared_from_this) while an exchange is in progress. Internal to
// libriffle-kinesis.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/span_body.hpp>

#include "client/any_stream.h"
#include "client/appending_body.h"
#include "client/endpoint.h"
#include "riffle/kinesis/error.h"

namespace riffle::kinesis::internal {

struct HttpRequest {
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // Host and Content-Length are added
  std::shared_ptr<const std::string> body;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string request_id;                               // x-amzn-RequestId
  std::string error_type;                               // x-amzn-ErrorType
  std::optional<std::chrono::milliseconds> retry_after;  // x-amz-retry-after
};

struct ConnectionTimeouts {
  std::chrono::milliseconds connect{10000};
  std::chrono::milliseconds request{60000};
};

class Http1Connection : public std::enable_shared_from_this<Http1Connection> {
 public:
  // Largest response body accepted (a GetRecords page is at most ~14 MB).
  static constexpr uint64_t kMaxResponseBytes = 64ull << 20;

  Http1Connection(boost::asio::io_context& io, Endpoint endpoint, boost::asio::ssl::context* tls,
                  ConnectionTimeouts timeouts);
  ~Http1Connection();

  // `done(response or error, reusable)`: reusable is true when the
  // connection may carry another request. Errors: kNetworkError, kTlsError,
  // kTimeout, kInvalidResponse (unparsable HTTP), kCancelled (closed).
  // REQUIRES: no exchange in progress.
  using Done = std::function<void(Result<HttpResponse>, bool reusable)>;
  void Exchange(HttpRequest request, Done done);

  // Closes the socket; an exchange in progress fails with kCancelled.
  void Close();

  // For the pool, between exchanges: whether an idle connection can be
  // reused (open, the peer did not close it, used recently enough).
  bool Reusable(std::chrono::steady_clock::time_point now, std::chrono::milliseconds max_idle);
  uint64_t connects() const { return connects_; }

 private:
  void Start();
  void Send();
  void ReadBody();
  void Arm(std::chrono::milliseconds timeout);
  void Fail(Error error);
  void Finish(Result<HttpResponse> result, bool reusable);

  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  Strand strand_;
  const Endpoint endpoint_;
  const ConnectionTimeouts timeouts_;
  AnyStream stream_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  bool timed_out_ = false;
  std::atomic<bool> closed_{false};  // Close() was called
  bool low_water_raised_ = false;
  uint64_t connects_ = 0;
  std::chrono::steady_clock::time_point last_used_;
  // The exchange in progress.
  HttpRequest request_;
  std::optional<boost::beast::http::request<boost::beast::http::span_body<const char>>> message_;
  std::optional<boost::beast::http::response_parser<AppendingBody>> parser_;
  Done done_;
};

}  // namespace riffle::kinesis::internal
