#include "client/subscription.h"

#include <limits>
#include <stdexcept>

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

struct Subscription::Parser {
  http::response_parser<http::string_body> parser;
};

Subscription::Subscription(asio::any_io_executor executor, Endpoint endpoint, Credentials credentials)
    : socket_(std::move(executor)), endpoint_(std::move(endpoint)), signer_(std::move(credentials)) {}

Subscription::~Subscription() { Close(); }

void Subscription::Close() {
  CloseSocket(socket_);
  open_ = false;
  buffer_.clear();
}

asio::awaitable<void> Subscription::Connect() {
  Close();
  co_await OpenSocket(socket_, endpoint_);
  open_ = true;
}

asio::awaitable<int> Subscription::Start(std::string_view body) {
  if (!open_ || !keep_alive_) co_await Connect();
  std::string target = Target("SubscribeToShard");
  std::string_view date = AmzDateNow();
  SignableRequest signable;
  signable.headers = {{"content-type", "application/x-amz-json-1.1"},
                      {"host", endpoint_.host_header},
                      {"x-amz-date", date},
                      {"x-amz-target", target}};
  signable.payload = body;
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
  request.body() = beast::span<const char>(body.data(), body.size());
  request.prepare_payload();

  decoder_ = EventStreamDecoder();
  error_body_.clear();
  body_bytes_ = 0;
  parser_ = std::make_unique<Parser>();
  // A subscription lasts minutes; its body has no useful size limit.
  parser_->parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  try {
    co_await http::async_write(socket_, request, asio::use_awaitable);
    co_await http::async_read_header(socket_, buffer_, parser_->parser, asio::use_awaitable);
    auto& head = parser_->parser.get();
    keep_alive_ = head.keep_alive();
    // Not eager: an eager parse of a chunk's data would go on into the next
    // chunk header, find only the chunk's trailing CRLF (need_more) and read
    // the socket again, holding this event back until the next one arrives.
    const int status = static_cast<int>(head.result_int());
    if (status != 200) {
      co_await http::async_read(socket_, buffer_, parser_->parser, asio::use_awaitable);
      error_body_ = std::move(parser_->parser.get().body());
      parser_.reset();
      if (!keep_alive_) Close();
    }
    co_return status;
  } catch (...) {
    Close();
    parser_.reset();
    throw;
  }
}

asio::awaitable<bool> Subscription::Next(EventMessage& out) {
  for (;;) {
    auto next = decoder_.Next(out);
    if (!next.ok()) {
      Close();
      parser_.reset();
      throw std::runtime_error(next.status().message());
    }
    if (*next) co_return true;
    if (!parser_) co_return false;
    if (parser_->parser.is_done()) {
      parser_.reset();
      if (!keep_alive_) Close();
      if (decoder_.buffered() > 0) throw std::runtime_error("event stream: body ended inside a message");
      co_return false;
    }
    try {
      co_await http::async_read_some(socket_, buffer_, parser_->parser, asio::use_awaitable);
    } catch (...) {
      Close();
      parser_.reset();
      throw;
    }
    // Chunked or not, the body parsed so far lands in the string body: move
    // it to the decoder (string_body appends at the current size).
    std::string& body = parser_->parser.get().body();
    body_bytes_ += body.size();
    decoder_.Append(body);
    body.clear();
  }
}

}  // namespace riffle::client
