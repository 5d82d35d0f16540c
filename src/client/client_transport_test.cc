// The Client's transport against a scripted HTTP/1.1 server on loopback:
// what it sends (signed awsJson1_1), retries of the standard mode, error
// reading, keep-alive, timeouts, malformed answers and shutdown.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "riffle/kinesis/client.h"

namespace riffle::kinesis {
namespace {

struct Seen {
  std::string head;  // request line and headers
  std::string body;
  std::string Header(const std::string& name) const {
    std::string lower_head;
    for (char c : head) lower_head.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    size_t at = lower_head.find("\r\n" + name + ":");
    if (at == std::string::npos) return {};
    size_t start = head.find_first_not_of(' ', at + 3 + name.size());
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

std::string Answer(int status, const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/x-amz-json-1.1\r\n" +
         "x-amzn-RequestId: req-" + std::to_string(status) + "\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Answers the n-th request with script[n] (the last one repeats). A reply of
// nullopt never answers (the connection stays open until the server stops).
class ScriptedServer {
 public:
  using Reply = std::optional<std::string>;
  explicit ScriptedServer(std::vector<Reply> script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listener_, 16), 0);
    socklen_t length = sizeof(addr);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~ScriptedServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
      changed_.notify_all();
    }
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& t : connections_) t.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> requests() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  int connections() {
    std::lock_guard lock(mutex_);
    return static_cast<int>(fds_.size());
  }

 private:
  void AcceptLoop() {
    for (;;) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      fds_.push_back(fd);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }
  void Serve(int fd) {
    std::string buffer;
    char chunk[4096];
    for (;;) {
      size_t end;
      while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return Done(fd);
        buffer.append(chunk, static_cast<size_t>(n));
      }
      Seen seen;
      seen.head = buffer.substr(0, end + 2);
      buffer.erase(0, end + 4);
      size_t length = std::stoul(seen.Header("content-length").empty() ? "0" : seen.Header("content-length"));
      while (buffer.size() < length) {
        ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return Done(fd);
        buffer.append(chunk, static_cast<size_t>(n));
      }
      seen.body = buffer.substr(0, length);
      buffer.erase(0, length);
      Reply reply;
      {
        std::unique_lock lock(mutex_);
        reply = script_[std::min(seen_.size(), script_.size() - 1)];
        seen_.push_back(seen);
        if (!reply) {
          changed_.wait(lock, [this] { return stopping_; });
          return Done(fd);
        }
      }
      ::send(fd, reply->data(), reply->size(), MSG_NOSIGNAL);
      if (reply->find("Connection: close") != std::string::npos) return Done(fd);
    }
  }
  void Done(int fd) { ::shutdown(fd, SHUT_RDWR); }

  std::vector<Reply> script_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::vector<int> fds_;
  std::vector<std::thread> connections_;
  std::vector<Seen> seen_;
};

std::shared_ptr<Client> ClientFor(const std::string& endpoint, ClientOptions options = {}) {
  options.endpoint = endpoint;
  options.region = "us-west-2";
  if (!options.credentials) options.credentials = Credentials{"AKID", "secret", ""};
  options.retry.throttling_base = std::chrono::milliseconds(1);
  options.retry.transient_base = std::chrono::milliseconds(1);
  auto client = Client::Create(options);
  EXPECT_TRUE(client.ok()) << client.error().ToString();
  return std::move(client.value());
}

const std::string kLimits = R"({"ShardLimit":500,"OpenShardCount":2,"OnDemandStreamCount":0,"OnDemandStreamCountLimit":50})";

TEST(ClientTransport, SendsSignedJsonAndRetriesServerErrors) {
  ScriptedServer server({Answer(500, R"({"__type":"InternalFailure"})"), Answer(503, R"({"__type":"ServiceUnavailable"})"),
                         Answer(200, kLimits)});
  auto limits = ClientFor(server.endpoint() + "/prefix")->DescribeLimits();
  ASSERT_TRUE(limits.ok()) << limits.error().ToString();
  EXPECT_EQ(limits->OpenShardCount, 2);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  for (const Seen& s : seen) {
    EXPECT_TRUE(s.head.starts_with("POST /prefix HTTP/1.1\r\n")) << s.head;
    EXPECT_EQ(s.Header("x-amz-target"), "Kinesis_20131202.DescribeLimits");
    EXPECT_EQ(s.Header("content-type"), "application/x-amz-json-1.1");
    EXPECT_EQ(s.body, "{}");
    EXPECT_TRUE(s.Header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKID/")) << s.Header("authorization");
    EXPECT_NE(s.Header("authorization").find("/us-west-2/kinesis/aws4_request, SignedHeaders="
                                              "content-type;host;x-amz-date;x-amz-target, Signature="),
              std::string::npos);
  }
  EXPECT_EQ(server.connections(), 1);  // kept alive across the retries
}

TEST(ClientTransport, ThrottlingIsRetriedUpToMaxAttempts) {
  ScriptedServer server({Answer(400, R"({"__type":"ProvisionedThroughputExceededException","message":"slow down"})")});
  auto r = ClientFor(server.endpoint())->PutRecord({.StreamName = "s", .Data = "x", .PartitionKey = "k"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kProvisionedThroughputExceeded);
  EXPECT_EQ(r.error().message(), "slow down");
  EXPECT_EQ(server.requests().size(), 3u);
  ClientOptions five;
  five.retry.max_attempts = 5;
  ClientFor(server.endpoint(), five)->PutRecord({.StreamName = "s", .Data = "x", .PartitionKey = "k"});
  EXPECT_EQ(server.requests().size(), 8u);
}

TEST(ClientTransport, ClientErrorsAreNotRetried) {
  ScriptedServer server({Answer(400, R"({"__type":"com.amazonaws.kinesis#ResourceNotFoundException","Message":"gone"})")});
  auto r = ClientFor(server.endpoint())->DescribeStreamSummary({.StreamName = "s"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(r.error().message(), "gone");
  EXPECT_EQ(r.error().http_status(), 400);
  EXPECT_EQ(r.error().request_id(), "req-400");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(ClientTransport, ErrorTypeFromTheHeaderWithoutAJsonBody) {
  ScriptedServer server({Answer(400, "<html>throttled</html>", "x-amzn-ErrorType: ThrottlingException:http://x/\r\n")});
  ClientOptions once;
  once.retry.max_attempts = 1;
  auto r = ClientFor(server.endpoint(), once)->ListStreams();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "ThrottlingException");
  EXPECT_EQ(r.error().code(), ErrorCode::kThrottling);
}

TEST(ClientTransport, KeepAliveAndConnectionClose) {
  ScriptedServer kept({Answer(200, kLimits)});
  auto client = ClientFor(kept.endpoint());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->DescribeLimits().ok());
  EXPECT_EQ(kept.connections(), 1);
  ScriptedServer closing({Answer(200, kLimits, "Connection: close\r\n")});
  auto other = ClientFor(closing.endpoint());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(other->DescribeLimits().ok());
  EXPECT_EQ(closing.connections(), 5);
}

TEST(ClientTransport, SessionTokenIsSentAndSigned) {
  ScriptedServer server({Answer(200, kLimits)});
  ClientOptions options;
  options.credentials = Credentials{"ASIA", "secret", "the-token"};
  ASSERT_TRUE(ClientFor(server.endpoint(), options)->DescribeLimits().ok());
  Seen s = server.requests().at(0);
  EXPECT_EQ(s.Header("x-amz-security-token"), "the-token");
  EXPECT_NE(s.Header("authorization").find("x-amz-date;x-amz-security-token;x-amz-target"), std::string::npos)
      << s.Header("authorization");
}

TEST(ClientTransport, MalformedAnswers) {
  ScriptedServer not_json({Answer(200, "not json")});
  auto r = ClientFor(not_json.endpoint())->DescribeLimits();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidResponse);
  ScriptedServer wrong_type({Answer(200, R"({"ShardLimit":"many"})")});
  EXPECT_EQ(ClientFor(wrong_type.endpoint())->DescribeLimits().error().code(), ErrorCode::kInvalidResponse);
  ScriptedServer not_http({std::string("HELLO THERE\r\n\r\n")});
  ClientOptions once;
  once.retry.max_attempts = 1;
  EXPECT_EQ(ClientFor(not_http.endpoint(), once)->DescribeLimits().error().code(), ErrorCode::kInvalidResponse);
  // An empty body reads as {} (an operation whose output has no members).
  ScriptedServer empty({Answer(200, "")});
  EXPECT_TRUE(ClientFor(empty.endpoint())->DeleteStream({.StreamName = "s"}).ok());
}

// Bodies arrive whole whatever their size or framing; an announced one keeps
// AppendingBody's slack of spare capacity (what lets riffle-bench parse it in
// place).
TEST(ClientTransport, LargeAndChunkedBodiesArriveWhole) {
  std::string big = "{\"Records\":\"";
  for (size_t i = 0; big.size() < (3 << 20); ++i) big.push_back(static_cast<char>('a' + i % 26));
  big += "\"}";
  std::string chunked = "HTTP/1.1 200 X\r\nx-amzn-RequestId: c\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\n{\"A\":\r\n3\r\n12}\r\n0\r\n\r\n";
  ScriptedServer server({Answer(200, big), chunked});
  auto client = ClientFor(server.endpoint());
  auto first = client->Send("GetRecords", "{}");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->http_status, 200);
  EXPECT_EQ(first->body, big);
  EXPECT_GE(first->body.capacity() - first->body.size(), 64u);
  auto second = client->Send("GetRecords", "{}");
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->body, "{\"A\":12}");
  EXPECT_EQ(second->request_id, "c");
}

TEST(ClientTransport, NoAnswerTimesOut) {
  ScriptedServer server({std::nullopt});
  ClientOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  options.retry.max_attempts = 1;
  auto r = ClientFor(server.endpoint(), options)->DescribeLimits();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kTimeout);
  EXPECT_TRUE(r.error().IsRetryable());
}

TEST(ClientTransport, NothingListeningIsANetworkError) {
  uint16_t port;
  {
    ScriptedServer gone({Answer(200, kLimits)});
    port = static_cast<uint16_t>(std::stoi(gone.endpoint().substr(gone.endpoint().rfind(':') + 1)));
  }
  ClientOptions once;
  once.retry.max_attempts = 1;
  auto r = ClientFor("http://127.0.0.1:" + std::to_string(port), once)->DescribeLimits();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNetworkError);
  EXPECT_EQ(r.error().http_status(), 0);
}

TEST(ClientTransport, ClosingTheClientCancelsWhatIsInFlight) {
  ScriptedServer server({std::nullopt});
  auto client = ClientFor(server.endpoint());
  std::promise<Result<DescribeLimitsOutput>> done;
  client->DescribeLimitsAsync({}, [&](Result<DescribeLimitsOutput> r) { done.set_value(std::move(r)); });
  while (server.requests().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  client.reset();
  auto r = done.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace riffle::kinesis
