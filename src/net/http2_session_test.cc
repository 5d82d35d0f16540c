// HTTP/2 (h2c with prior knowledge) through HttpServer, driven by an
// nghttp2 client session over a blocking socket.
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/h2_test_client.h"
#include "net/http_server.h"

namespace riffle::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using h2test::H2Client;
using h2test::Reply;

// Echoes "METHOD TARGET|host|x-test|body-size"; "/big" answers 10 MiB;
// "/async" answers from another thread; "/hold" parks until Release().
class EchoHandler : public RequestHandler {
 public:
  ~EchoHandler() override {
    for (std::thread& t : threads_) t.join();
  }

  void Handle(HttpRequest request, ResponseSender send) override {
    HttpResponse response;
    response.headers.emplace_back("Content-Type", "text/plain");
    response.headers.emplace_back("X-Amzn-RequestId", "rid-1");
    if (request.target == "/big") {
      response.body.assign(10 * 1024 * 1024, 'b');
      response.body.front() = '<';
      response.body.back() = '>';
    } else {
      response.body = request.method + " " + request.target + "|" + std::string(request.Header("host")) +
                      "|" + std::string(request.Header("x-test")) + "|" +
                      std::to_string(request.body.size());
    }
    if (request.target == "/async") {
      std::lock_guard<std::mutex> lock(mu_);
      threads_.emplace_back([send = std::move(send), response = std::move(response)]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
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

  void WaitHeld(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return held_.size() >= n; });
  }
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

class Http2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<HttpServer>(options, handler_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  EchoHandler handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(Http2Test, PriorKnowledgeRequestReachesTheHandler) {
  H2Client client(server_->port());
  int32_t id = client.Post("/a", "{}", "hello");
  ASSERT_TRUE(client.RunUntilDone());
  const Reply& reply = client.reply(id);
  EXPECT_EQ(reply.headers.at(":status"), "200");
  // :authority arrives as host; response header names are lower case.
  EXPECT_EQ(reply.body, "POST /a|127.0.0.1:4567|hello|2");
  EXPECT_EQ(reply.headers.at("x-amzn-requestid"), "rid-1");
  EXPECT_EQ(reply.headers.at("content-type"), "text/plain");
  EXPECT_EQ(reply.headers.at("content-length"), std::to_string(reply.body.size()));
  EXPECT_EQ(reply.error_code, 0u);
}

TEST_F(Http2Test, ManyConcurrentStreamsOnOneConnection) {
  H2Client client(server_->port());
  std::vector<int32_t> ids;
  for (int i = 0; i < 60; ++i) {
    ids.push_back(client.Post(i % 2 ? "/async" : "/sync", std::string(static_cast<size_t>(i), 'x'),
                              std::to_string(i)));
  }
  ASSERT_TRUE(client.RunUntilDone());
  for (int i = 0; i < 60; ++i) {
    const Reply& reply = client.reply(ids[static_cast<size_t>(i)]);
    EXPECT_EQ(reply.headers.at(":status"), "200");
    EXPECT_EQ(reply.body, std::string("POST ") + (i % 2 ? "/async" : "/sync") + "|127.0.0.1:4567|" +
                              std::to_string(i) + "|" + std::to_string(i));
  }
}

TEST_F(Http2Test, LargeBodiesBothWaysUnderFlowControl) {
  // The client keeps nghttp2's default 64 KiB windows, so the 10 MiB
  // response only gets through as WINDOW_UPDATEs arrive; the 12 MiB request
  // exceeds the server's stream window.
  H2Client client(server_->port());
  int32_t up = client.Post("/upload", std::string(12 * 1024 * 1024, 'u'));
  int32_t down = client.Post("/big", "{}");
  ASSERT_TRUE(client.RunUntilDone());
  EXPECT_EQ(client.reply(up).body, "POST /upload|127.0.0.1:4567||12582912");
  const std::string& big = client.reply(down).body;
  ASSERT_EQ(big.size(), 10u * 1024 * 1024);
  EXPECT_EQ(big.front(), '<');
  EXPECT_EQ(big.back(), '>');
}

TEST_F(Http2Test, Http1StillServedOnTheSamePort) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  // Starts like the preface ("P"), then diverges.
  std::string request = "POST /p HTTP/1.1\r\nHost: h1\r\nContent-Length: 3\r\n\r\nabc";
  asio::write(socket, asio::buffer(request));
  std::string response;
  char buf[4096];
  boost::system::error_code ec;
  while (response.find("|3") == std::string::npos) {
    size_t n = socket.read_some(asio::buffer(buf), ec);
    ASSERT_FALSE(ec) << ec.message();
    response.append(buf, n);
  }
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("POST /p|h1||3"), std::string::npos) << response;
}

TEST_F(Http2Test, StopSendsGoawayAndLetsInFlightStreamsFinish) {
  H2Client client(server_->port());
  int32_t id = client.Post("/hold", "{}");
  ASSERT_TRUE(client.Send());
  handler_.WaitHeld(1);
  std::thread stopper([this] { server_->Stop(); });
  ASSERT_TRUE(client.RunUntilDone([&] { return client.goaway(); }));
  handler_.Release();
  ASSERT_TRUE(client.RunUntilDone());
  EXPECT_EQ(client.reply(id).headers.at(":status"), "200");
  EXPECT_EQ(client.reply(id).body, "released");
  EXPECT_TRUE(client.ReadUntilEof());
  stopper.join();
}

TEST_F(Http2Test, GarbageAfterThePrefaceClosesTheConnection) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  std::string bytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  bytes += std::string(64, '\xff');  // not a frame
  asio::write(socket, asio::buffer(bytes));
  char buf[4096];
  boost::system::error_code ec;
  for (int i = 0; i < 100 && !ec; ++i) socket.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

}  // namespace
}  // namespace riffle::net
