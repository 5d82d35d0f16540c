#include "net/http_server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

namespace riffle::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;
using Response = http::response<http::string_body>;

// Echoes "METHOD TARGET|X-Test|BODY". Target "/async" answers from another
// thread after a delay; "/hold" parks the sender until Release().
class TestHandler : public RequestHandler {
 public:
  ~TestHandler() override {
    for (std::thread& t : threads_) t.join();
  }

  void Handle(HttpRequest request, ResponseSender send) override {
    HttpResponse response;
    response.headers.emplace_back("Content-Type", "text/plain");
    response.headers.emplace_back("X-Echo", std::string(request.Header("x-test")));
    response.body = request.method + " " + request.target + "|" +
                    std::string(request.Header("X-Test")) + "|" + request.body;
    if (request.target == "/async") {
      std::lock_guard<std::mutex> lock(mu_);
      threads_.emplace_back([send = std::move(send), response = std::move(response)]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        send(std::move(response));
      });
      return;
    }
    if (request.target == "/hold") {
      std::lock_guard<std::mutex> lock(mu_);
      held_.push_back(std::move(send));
      cv_.notify_all();
      return;
    }
    send(std::move(response));
  }

  // Blocks until `n` requests are held.
  void WaitHeld(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return held_.size() >= n; });
  }
  // Replies 200 "released" to every held request.
  void Release() {
    std::deque<ResponseSender> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
    }
    for (ResponseSender& send : held) send(HttpResponse{200, {}, "released"});
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
  std::deque<ResponseSender> held_;
};

// Minimal blocking client.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void Write(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  Response Read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }
  // Like Read() but false instead of throwing when the server closed.
  bool TryRead(http::response_parser<http::string_body>* parser) {
    boost::system::error_code ec;
    http::read(socket_, buffer_, *parser, ec);
    return !ec;
  }
  // Reads raw bytes up to and including the first blank line, one byte at a
  // time so that nothing after it is consumed. REQUIRES: no Read() before.
  std::string ReadHead() {
    std::string out;
    char c;
    while (out.size() < 4 || out.compare(out.size() - 4, 4, "\r\n\r\n") != 0) {
      asio::read(socket_, asio::buffer(&c, 1));
      out.push_back(c);
    }
    return out;
  }
  // True when the server closed the connection (EOF or reset).
  bool ReadsEof() {
    boost::system::error_code ec;
    char c;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::string Post(const std::string& target, const std::string& body,
                 const std::string& extra_headers = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nX-Test: t1\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, handler_);
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_NE(server_->port(), 0);
  }
  uint16_t port() const { return server_->port(); }

  TestHandler handler_;  // outlives server_
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, EchoesMethodTargetHeaderAndBody) {
  StartServer();
  Client client(port());
  client.Write(Post("/path?q=1", "hello body"));
  Response r = client.Read();
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), "POST /path?q=1|t1|hello body");
  EXPECT_EQ(r["X-Echo"], "t1");
  EXPECT_EQ(r["Content-Type"], "text/plain");
  EXPECT_EQ(r["Content-Length"], std::to_string(r.body().size()));
  EXPECT_TRUE(r.keep_alive());
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  Client client(port());
  for (int i = 0; i < 5; ++i) {
    client.Write(Post("/k", "n" + std::to_string(i)));
    Response r = client.Read();
    EXPECT_EQ(r.body(), "POST /k|t1|n" + std::to_string(i));
  }
  // Pipelined requests arriving in one segment are all answered, in order.
  client.Write(Post("/p", "a") + Post("/p", "b") + Post("/async", "c"));
  EXPECT_EQ(client.Read().body(), "POST /p|t1|a");
  EXPECT_EQ(client.Read().body(), "POST /p|t1|b");
  EXPECT_EQ(client.Read().body(), "POST /async|t1|c");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  Client client(port());
  client.Write(Post("/", "x", "Connection: close\r\n"));
  Response r = client.Read();
  EXPECT_EQ(r.body(), "POST /|t1|x");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(HttpServerTest, Http10KeepAliveOnlyWhenAsked) {
  StartServer();
  Client client(port());
  client.Write("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  Response r = client.Read();
  EXPECT_EQ(r.body(), "GET /a||");
  EXPECT_TRUE(r.keep_alive());
  client.Write("GET /b HTTP/1.0\r\n\r\n");
  r = client.Read();
  EXPECT_EQ(r.body(), "GET /b||");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(HttpServerTest, ResponseFromAnotherThread) {
  StartServer();
  Client client(port());
  for (int i = 0; i < 3; ++i) {
    client.Write(Post("/async", "later"));
    EXPECT_EQ(client.Read().body(), "POST /async|t1|later");
  }
}

TEST_F(HttpServerTest, FiftyConcurrentConnections) {
  StartServer();
  constexpr int kConnections = 50;
  constexpr int kRequests = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kConnections; ++c) {
    clients.emplace_back([&, c] {
      Client client(port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(c) + "-" + std::to_string(i);
        std::string target = i % 5 == 0 ? "/async" : "/sync";
        client.Write(Post(target, body));
        if (client.Read().body() == "POST " + target + "|t1|" + body) ok.fetch_add(1);
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok.load(), kConnections * kRequests);
}

TEST_F(HttpServerTest, ExpectContinue) {
  StartServer();
  Client client(port());
  std::string body(2 * 1024 * 1024, 'z');
  client.Write("POST /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n");
  std::string interim = client.ReadHead();
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << interim;
  client.Write(body);
  Response r = client.Read();
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), "POST /big||" + body);
}

TEST_F(HttpServerTest, ChunkedRequestBody) {
  StartServer();
  Client client(port());
  client.Write(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(client.Read().body(), "POST /c||hello world");
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  {
    Client client(port());
    client.Write(Post("/", std::string(4096, 'b')));
    Response r = client.Read();
    EXPECT_EQ(r.result_int(), 413u);
    EXPECT_EQ(r["Content-Type"], "application/x-amz-json-1.1");
    EXPECT_NE(r.body().find("message"), std::string::npos);
    EXPECT_FALSE(r.keep_alive());
    EXPECT_TRUE(client.ReadsEof());
  }
  {
    // With Expect: 100-continue the 413 comes instead of the 100.
    Client client(port());
    client.Write("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
    EXPECT_EQ(client.Read().result_int(), 413u);
  }
  {
    // Exactly at the limit is fine.
    Client client(port());
    client.Write(Post("/", std::string(1024, 'b')));
    EXPECT_EQ(client.Read().result_int(), 200u);
  }
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  Client client(port());
  client.Write(Post("/", "x", "X-Big: " + std::string(4096, 'h') + "\r\n"));
  Response r = client.Read();
  EXPECT_EQ(r.result_int(), 431u);
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  StartServer();
  Client client(port());
  client.Write("THIS IS NOT HTTP\r\n\r\n");
  Response r = client.Read();
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(HttpServerTest, IdleConnectionTimesOut) {
  ServerOptions options;
  options.idle_timeout_seconds = 1;
  options.header_timeout_seconds = 1;
  StartServer(options);
  Client idle(port());
  EXPECT_TRUE(idle.ReadsEof());
  Client stalled(port());
  stalled.Write("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_TRUE(stalled.ReadsEof());
}

TEST_F(HttpServerTest, KeepAliveConnectionIdlesOut) {
  ServerOptions options;
  options.idle_timeout_seconds = 1;
  StartServer(options);
  Client client(port());
  client.Write(Post("/", "one"));
  EXPECT_EQ(client.Read().result_int(), 200u);
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(HttpServerTest, SlowHeaderIsDroppedAtHeaderTimeout) {
  ServerOptions options;
  options.idle_timeout_seconds = 3600;  // only the header timeout can end it
  options.header_timeout_seconds = 1;
  StartServer(options);
  Client slow(port());
  slow.Write("POST / HTTP/1.1\r\nHost: x\r\nX-Trickle: ");
  EXPECT_TRUE(slow.ReadsEof());
  // A keep-alive connection gets the header timeout again for its next request.
  Client second(port());
  second.Write(Post("/", "a"));
  EXPECT_EQ(second.Read().result_int(), 200u);
  second.Write("POST / HTTP/1.1\r\n");
  EXPECT_TRUE(second.ReadsEof());
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  Client first(port());
  Client second(port());
  first.Write(Post("/", "1"));
  EXPECT_EQ(first.Read().result_int(), 200u);  // both are registered by now
  second.Write(Post("/", "2"));
  EXPECT_EQ(second.Read().result_int(), 200u);
  Client third(port());
  EXPECT_TRUE(third.ReadsEof());
  // The open ones keep working; a closed one frees its place.
  first.Write(Post("/", "again"));
  EXPECT_EQ(first.Read().body(), "POST /|t1|again");
  second.Write(Post("/", "bye", "Connection: close\r\n"));
  EXPECT_EQ(second.Read().result_int(), 200u);
  EXPECT_TRUE(second.ReadsEof());
  std::unique_ptr<Client> fourth;
  for (int attempt = 0; attempt < 100; ++attempt) {  // the server unregisters asynchronously
    fourth = std::make_unique<Client>(port());
    http::response_parser<http::string_body> parser;
    try {
      fourth->Write(Post("/", "4"));
      if (fourth->TryRead(&parser)) break;
    } catch (const boost::system::system_error&) {
    }
    fourth.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(fourth, nullptr);
}

TEST_F(HttpServerTest, StopDeliversInFlightResponse) {
  StartServer();
  Client client(port());
  Client idle(port());
  client.Write(Post("/hold", "x"));
  handler_.WaitHeld(1);
  std::thread stopper([&] { server_->Stop(10000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let Stop() begin
  handler_.Release();
  Response r = client.Read();
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), "released");
  EXPECT_FALSE(r.keep_alive());
  stopper.join();
  EXPECT_TRUE(client.ReadsEof());
  EXPECT_TRUE(idle.ReadsEof());
}

TEST_F(HttpServerTest, StopIsBoundedWhenHandlerNeverReplies) {
  StartServer();
  Client client(port());
  client.Write(Post("/hold", "x"));
  handler_.WaitHeld(1);
  server_->Stop(100);
  EXPECT_TRUE(client.ReadsEof());
  server_->Stop();  // idempotent
  handler_.Release();  // after Stop: harmless
  server_.reset();
}

TEST_F(HttpServerTest, SendAfterServerDestroyedIsHarmless) {
  StartServer();
  Client client(port());
  client.Write(Post("/hold", "x"));
  handler_.WaitHeld(1);
  server_->Stop(50);
  server_.reset();
  handler_.Release();  // the sender outlives the server: still harmless
}

TEST_F(HttpServerTest, SendAfterClientDisconnectIsHarmless) {
  StartServer();
  {
    Client client(port());
    client.Write(Post("/hold", "x"));
    handler_.WaitHeld(1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  handler_.Release();
  Client client(port());
  client.Write(Post("/", "still up"));
  EXPECT_EQ(client.Read().body(), "POST /|t1|still up");
}

TEST_F(HttpServerTest, StartFailsWhenPortInUse) {
  asio::io_context ioc;
  tcp::acceptor taken(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = taken.local_endpoint().port();
  HttpServer server(options, handler_);
  Status status = server.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(std::to_string(options.port)), std::string::npos)
      << status.message();
  server.Stop();
}

}  // namespace
}  // namespace riffle::net
