// Streamed response bodies (HttpResponse::stream) over HTTP/1.1 (chunked)
// and HTTP/2: every byte arrives in order, the end is signalled, a waiting
// stream resumes when woken from another thread, and the server pulls only
// as fast as the client reads (bounded by flow control windows / socket
// buffers instead of the whole body).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "net/h2_test_client.h"
#include "net/http_server.h"
#include "protocol/body_stream.h"

namespace riffle::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Pull = protocol::BodyStream::State;

constexpr size_t kPiece = 64 * 1024;

// Produces `pieces` pieces of kPiece bytes ('a' + piece % 26) on demand.
// With `gated`, every piece first answers kWait until Open() wakes it.
class PiecesBody final : public protocol::BodyStream {
 public:
  PiecesBody(size_t pieces, bool gated) : pieces_(pieces), gated_(gated) {}
  void Start(std::function<void()> wake) override {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
  }
  PullResult Pull(std::string& out) override {
    std::lock_guard lock(mu_);
    if (produced_ == pieces_) return {Pull::kEnd};
    if (gated_ && opened_ <= produced_) return {Pull::kWait, -1};
    out.append(kPiece, static_cast<char>('a' + produced_ % 26));
    ++produced_;
    pulled_bytes.store(produced_ * kPiece);
    return {produced_ == pieces_ ? Pull::kEnd : Pull::kData};
  }
  // As the contract asks: after Cancel the wake callback (which holds the
  // connection's executor) is dropped, so the body may outlive the server.
  void Cancel() override {
    std::lock_guard lock(mu_);
    wake_ = nullptr;
  }
  // Lets one more piece through (gated), waking the transport.
  void Open() {
    std::function<void()> wake;
    {
      std::lock_guard lock(mu_);
      ++opened_;
      wake = wake_;
    }
    if (wake) wake();
  }
  std::atomic<size_t> pulled_bytes{0};

 private:
  std::mutex mu_;
  std::function<void()> wake_;
  const size_t pieces_;
  const bool gated_;
  size_t produced_ = 0;
  size_t opened_ = 0;
};

std::string Expected(size_t pieces) {
  std::string out;
  for (size_t i = 0; i < pieces; ++i) out.append(kPiece, static_cast<char>('a' + i % 26));
  return out;
}

class StreamHandler : public RequestHandler {
 public:
  void Handle(HttpRequest, ResponseSender send) override {
    HttpResponse response;
    response.headers.emplace_back("Content-Type", "application/vnd.amazon.eventstream");
    response.stream = body;
    send(std::move(response));
  }
  std::shared_ptr<PiecesBody> body;
};

class BodyStreamTest : public ::testing::Test {
 protected:
  void Start(size_t pieces, bool gated) {
    handler_.body = std::make_shared<PiecesBody>(pieces, gated);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<HttpServer>(options, handler_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  StreamHandler handler_;
  std::unique_ptr<HttpServer> server_;
};

// Reads an HTTP/1.1 chunked response; returns the decoded body. Checks at
// every read that the server has not pulled more than `bound` bytes ahead.
std::string ReadChunked(tcp::socket& socket, const PiecesBody& body, size_t bound, std::string* head) {
  std::string raw;
  char buf[16384];
  size_t header_end = std::string::npos;
  std::string decoded;
  size_t at = 0;
  for (;;) {
    boost::system::error_code ec;
    size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec) break;
    raw.append(buf, n);
    if (header_end == std::string::npos) {
      header_end = raw.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      *head = raw.substr(0, header_end);
      at = header_end + 4;
    }
    // Decode complete chunks.
    for (;;) {
      size_t line_end = raw.find("\r\n", at);
      if (line_end == std::string::npos) break;
      size_t size = std::stoul(raw.substr(at, line_end - at), nullptr, 16);
      if (raw.size() < line_end + 2 + size + 2) break;
      if (size == 0) return decoded;
      decoded.append(raw, line_end + 2, size);
      at = line_end + 2 + size + 2;
    }
    EXPECT_LE(body.pulled_bytes.load(), raw.size() + bound);
  }
  ADD_FAILURE() << "connection ended before the last chunk";
  return decoded;
}

TEST_F(BodyStreamTest, Http1ChunkedBodyIsPulledAsTheClientReads) {
  constexpr size_t kPieces = 512;  // 32 MiB
  Start(kPieces, false);
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  socket.set_option(asio::socket_base::receive_buffer_size(64 * 1024));
  std::string request = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}";
  asio::write(socket, asio::buffer(request));
  std::string head;
  // Bound: socket buffers (both ends, autotuned) plus one piece — far below
  // the 32 MiB body a buffering server would pull at once.
  std::string got = ReadChunked(socket, *handler_.body, 12 * 1024 * 1024, &head);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  EXPECT_TRUE(got == Expected(kPieces)) << got.size();
}

TEST_F(BodyStreamTest, Http1WaitingBodyResumesWhenWoken) {
  Start(3, true);
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  std::string request = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}";
  asio::write(socket, asio::buffer(request));
  std::thread opener([&] {
    for (int i = 0; i < 3; ++i) handler_.body->Open();
  });
  std::string head;
  std::string got = ReadChunked(socket, *handler_.body, SIZE_MAX / 2, &head);
  opener.join();
  EXPECT_TRUE(got == Expected(3)) << got.size();
}

TEST_F(BodyStreamTest, Http2BodyRespectsTheStreamWindow) {
  constexpr size_t kPieces = 256;  // 16 MiB through the client's 64 KiB window
  Start(kPieces, false);
  h2test::H2Client client(server_->port());
  int32_t id = client.Post("/", "{}");
  size_t max_ahead = 0;
  ASSERT_TRUE(client.RunUntilDone([&] {
    const h2test::Reply& reply = client.reply(id);
    size_t pulled = handler_.body->pulled_bytes.load();
    if (pulled > reply.body.size()) max_ahead = std::max(max_ahead, pulled - reply.body.size());
    return reply.closed;
  }));
  const h2test::Reply& reply = client.reply(id);
  EXPECT_EQ(reply.headers.at(":status"), "200");
  EXPECT_EQ(reply.headers.count("content-length"), 0u);
  EXPECT_TRUE(reply.body == Expected(kPieces)) << reply.body.size();
  // At most the window in flight plus one pulled piece not yet sent.
  EXPECT_LE(max_ahead, 64 * 1024 + kPiece + kPiece);
}

TEST_F(BodyStreamTest, Http2WaitingBodyResumesWhenWoken) {
  Start(3, true);
  h2test::H2Client client(server_->port());
  int32_t id = client.Post("/", "{}");
  std::thread opener([&] {
    for (int i = 0; i < 3; ++i) handler_.body->Open();
  });
  ASSERT_TRUE(client.RunUntilDone());
  opener.join();
  EXPECT_TRUE(client.reply(id).body == Expected(3)) << client.reply(id).body.size();
}

}  // namespace
}  // namespace riffle::net
