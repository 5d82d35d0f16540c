#include "client/connection.h"

#include <charconv>
#include <algorithm>
#include <exception>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "client/requests.h"

namespace riffle::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {
constexpr size_t kMaxResponseBytes = 64 * 1024 * 1024;
// Bytes a body read waits for before it wakes up (SO_RCVLOWAT): a 13 MiB
// GetRecords body then arrives in ~200 reads instead of thousands of small
// ones, each a wake-up and a system call.
constexpr size_t kBodyReadBytes = 64 * 1024;

void SetReceiveLowWater(tcp::socket& socket, size_t bytes) {
  boost::system::error_code ignored;  // an optimization only
  socket.set_option(asio::socket_base::receive_low_watermark(static_cast<int>(bytes)), ignored);
}

// Reads one response into `parser`: the header, then the body, waiting for
// large pieces of a long body.
asio::awaitable<void> ReadResponse(tcp::socket& socket, beast::flat_buffer& buffer,
                                   http::response_parser<http::string_body>& parser) {
  co_await http::async_read_header(socket, buffer, parser, asio::use_awaitable);
  // Beast reads as much as the buffer has room for (512 bytes when empty).
  buffer.reserve(kBodyReadBytes);
  bool raised = false;
  while (!parser.is_done()) {
    auto left = parser.content_length_remaining();  // boost::optional
    if (left && *left > buffer.size()) {
      SetReceiveLowWater(socket, std::min<uint64_t>(kBodyReadBytes, *left - buffer.size()));
      raised = true;
    }
    co_await http::async_read_some(socket, buffer, parser, asio::use_awaitable);
  }
  if (raised) SetReceiveLowWater(socket, 1);
}
}  // namespace

StatusOr<Endpoint> ParseEndpoint(std::string_view url) {
  if (url.starts_with("http://")) url.remove_prefix(7);
  if (url.starts_with("https://")) return Status::InvalidArgument("https endpoints are not supported");
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  size_t colon = url.rfind(':');
  Endpoint out;
  if (colon == std::string_view::npos) {
    out.host = std::string(url);
    out.port = 80;
  } else {
    out.host = std::string(url.substr(0, colon));
    std::string_view port = url.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Status::InvalidArgument("bad port in endpoint: " + std::string(port));
    }
    out.port = static_cast<uint16_t>(value);
  }
  if (out.host.empty()) return Status::InvalidArgument("no host in endpoint");
  out.host_header = out.host + ":" + std::to_string(out.port);
  return out;
}

Connection::Connection(asio::any_io_executor executor, Endpoint endpoint, Credentials credentials)
    : socket_(std::move(executor)), endpoint_(std::move(endpoint)), signer_(std::move(credentials)) {}

Connection::~Connection() { Close(); }

void CloseSocket(tcp::socket& socket) {
  boost::system::error_code ignored;
  if (socket.is_open()) {
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
}

asio::awaitable<void> OpenSocket(tcp::socket& socket, const Endpoint& endpoint) {
  CloseSocket(socket);
  tcp::resolver resolver(socket.get_executor());
  auto results = co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), asio::use_awaitable);
  co_await asio::async_connect(socket, results, asio::use_awaitable);
  socket.set_option(tcp::no_delay(true));
}

void Connection::Close() {
  CloseSocket(socket_);
  open_ = false;
  buffer_.clear();
}

asio::awaitable<void> Connection::Connect() {
  Close();
  co_await OpenSocket(socket_, endpoint_);
  open_ = true;
  ++connects_;
}

asio::awaitable<void> Connection::Call(std::string_view op, std::string_view body, std::string_view payload_sha256_hex) {
  if (!open_) co_await Connect();
  std::string target = Target(op);
  std::string_view date = AmzDateNow();
  SignableRequest signable;
  signable.headers = {{"content-type", "application/x-amz-json-1.1"},
                      {"host", endpoint_.host_header},
                      {"x-amz-date", date},
                      {"x-amz-target", target}};
  signable.payload = body;
  signable.payload_sha256_hex = payload_sha256_hex;
  std::string authorization = signer_.Authorization(signable, date);

  http::request<http::span_body<const char>> request;
  request.method(http::verb::post);
  request.target("/");
  request.version(11);
  request.set(http::field::host, endpoint_.host_header);
  request.set(http::field::content_type, "application/x-amz-json-1.1");
  request.set("X-Amz-Target", target);
  request.set("X-Amz-Date", beast::string_view(date.data(), date.size()));
  request.set(http::field::authorization, authorization);
  request.body() = boost::beast::span<const char>(body.data(), body.size());
  request.prepare_payload();

  try {
    co_await http::async_write(socket_, request, asio::use_awaitable);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    co_await ReadResponse(socket_, buffer_, parser);
    auto response = parser.release();
    response_.status = static_cast<int>(response.result_int());
    response_.body = std::move(response.body());
    if (!response.keep_alive()) Close();
  } catch (...) {
    Close();
    throw;
  }
}

SyncClient::SyncClient(Endpoint endpoint, Credentials credentials)
    : connection_(std::make_unique<Connection>(io_.get_executor(), std::move(endpoint), std::move(credentials))) {}

SyncClient::~SyncClient() = default;

StatusOr<Response> SyncClient::Call(std::string_view op, std::string_view body) {
  std::exception_ptr error;
  io_.restart();
  asio::co_spawn(io_, connection_->Call(op, body), [&](std::exception_ptr e) { error = e; });
  io_.run();
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return Status::Internal(std::string(op) + ": " + e.what());
    }
  }
  return connection_->response();
}

}  // namespace riffle::client
