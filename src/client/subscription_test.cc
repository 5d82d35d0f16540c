#include "client/subscription.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "protocol/event_stream.h"

namespace riffle::client {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string Chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

// A one-shot HTTP/1.1 server on a free loopback port: reads one request head
// (and its body) and answers with `response` verbatim.
struct RawServer {
  asio::io_context& io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::string request;

  asio::awaitable<void> ServeOnce(std::string response) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::streambuf buffer;
    co_await asio::async_read_until(socket, buffer, "\r\n\r\n", asio::use_awaitable);
    request.assign(asio::buffers_begin(buffer.data()), asio::buffers_end(buffer.data()));
    co_await asio::async_write(socket, asio::buffer(response), asio::use_awaitable);
  }
  Endpoint endpoint() const {
    Endpoint e;
    e.port = acceptor.local_endpoint().port();
    e.host_header = "127.0.0.1:" + std::to_string(e.port);
    return e;
  }
};

template <typename Fn>
void RunClient(asio::io_context& io, Fn client) {
  std::exception_ptr error;
  asio::co_spawn(io, client(), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

TEST(Subscription, ReadsMessagesSplitAcrossChunks) {
  std::string first = protocol::EncodeJsonEvent("initial-response", "{}");
  std::string second = protocol::EncodeJsonEvent("SubscribeToShardEvent", R"({"Records":[],"MillisBehindLatest":0})");
  std::string stream = first + second;
  // Chunk boundaries deliberately fall inside the prelude and the payload.
  std::string response =
      "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\ntransfer-encoding: chunked\r\n\r\n" +
      Chunk(stream.substr(0, 5)) + Chunk(stream.substr(5, first.size() + 9)) +
      Chunk(stream.substr(first.size() + 14)) + "0\r\n\r\n";
  asio::io_context io;
  RawServer server{io};
  asio::co_spawn(io, server.ServeOnce(response), asio::detached);
  std::vector<EventMessage> messages;
  int status = 0;
  RunClient(io, [&]() -> asio::awaitable<void> {
    Subscription s(io.get_executor(), server.endpoint(), Credentials{});
    status = co_await s.Start(R"({"ShardId":"x"})");
    EventMessage m;
    while (co_await s.Next(m)) messages.push_back(m);
  });
  EXPECT_EQ(status, 200);
  EXPECT_NE(server.request.find("Kinesis_20131202.SubscribeToShard"), std::string::npos);
  EXPECT_NE(server.request.find("AWS4-HMAC-SHA256"), std::string::npos);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].Header(":event-type"), "initial-response");
  EXPECT_EQ(messages[1].Header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(messages[1].payload, R"({"Records":[],"MillisBehindLatest":0})");
}

// A message whose chunk has fully arrived is returned before anything else
// comes: the server sends the rest only when told that the client saw it
// (or after 10 s, which then fails the test).
TEST(Subscription, ReturnsAMessageBeforeTheNextChunkArrives) {
  asio::io_context io;
  RawServer server{io};
  asio::steady_timer hold(io);
  bool sent_rest = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket = co_await server.acceptor.async_accept(asio::use_awaitable);
        asio::streambuf buffer;
        co_await asio::async_read_until(socket, buffer, "\r\n\r\n", asio::use_awaitable);
        std::string head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
                           Chunk(protocol::EncodeJsonEvent("initial-response", "{}"));
        co_await asio::async_write(socket, asio::buffer(head), asio::use_awaitable);
        hold.expires_after(std::chrono::seconds(10));
        boost::system::error_code ignored;
        co_await hold.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        sent_rest = true;
        co_await asio::async_write(socket, asio::buffer(std::string("0\r\n\r\n")), asio::use_awaitable);
      },
      asio::detached);
  bool first_before_rest = false;
  RunClient(io, [&]() -> asio::awaitable<void> {
    Subscription s(io.get_executor(), server.endpoint(), Credentials{});
    co_await s.Start("{}");
    EventMessage m;
    EXPECT_TRUE(co_await s.Next(m));
    first_before_rest = !sent_rest;
    hold.cancel();
    EXPECT_FALSE(co_await s.Next(m));
  });
  EXPECT_TRUE(first_before_rest);
}

TEST(Subscription, ReportsAnErrorResponse) {
  std::string body = R"({"__type":"ResourceNotFoundException","message":"no consumer"})";
  std::string response = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::io_context io;
  RawServer server{io};
  asio::co_spawn(io, server.ServeOnce(response), asio::detached);
  int status = 0;
  bool more = true;
  std::string error;
  RunClient(io, [&]() -> asio::awaitable<void> {
    Subscription s(io.get_executor(), server.endpoint(), Credentials{});
    status = co_await s.Start("{}");
    error = s.error_body();
    EventMessage m;
    more = co_await s.Next(m);
  });
  EXPECT_EQ(status, 400);
  EXPECT_EQ(error, body);
  EXPECT_FALSE(more);
}

TEST(Subscription, RejectsACorruptMessage) {
  std::string bad = protocol::EncodeJsonEvent("SubscribeToShardEvent", "{}");
  bad[bad.size() - 1] ^= 0x10;
  std::string response =
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + Chunk(bad) + "0\r\n\r\n";
  asio::io_context io;
  RawServer server{io};
  asio::co_spawn(io, server.ServeOnce(response), asio::detached);
  EXPECT_THROW(RunClient(io,
                   [&]() -> asio::awaitable<void> {
                     Subscription s(io.get_executor(), server.endpoint(), Credentials{});
                     co_await s.Start("{}");
                     EventMessage m;
                     while (co_await s.Next(m)) {
                     }
                   }),
               std::runtime_error);
}

}  // namespace
}  // namespace riffle::client
