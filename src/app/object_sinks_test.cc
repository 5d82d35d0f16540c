#include "app/object_sinks.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "client/sigv4.h"

namespace riffle::app {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A fresh directory, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = testing::TempDir() + "/object_sinks_test.XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::unique_ptr<core::ObjectSink> MustMake(const std::string& url, const std::string& id = "AKID",
                                           const std::string& secret = "SECRET") {
  auto sink = MakeObjectSink(url, "eu-west-1", id, secret);
  EXPECT_TRUE(sink.ok()) << sink.status().message();
  return sink.ok() ? std::move(sink).value() : nullptr;
}

core::ObjectPut Object(std::string bucket, std::string key, std::string body) {
  core::ObjectPut put;
  put.bucket = std::move(bucket);
  put.key = std::move(key);
  put.body = std::move(body);
  put.content_type = "application/octet-stream";
  put.storage_class = "STANDARD";
  return put;
}

bool HasTempFiles(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(".tmp-", 0) == 0) return true;
  }
  return false;
}

TEST(S3PathEncode, EncodesEachSegmentPerSigV4) {
  EXPECT_EQ(S3PathEncode("a/b c/d+e"), "a/b%20c/d%2Be");
  EXPECT_EQ(S3PathEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(S3PathEncode("x=1&y=%/\xc3\xa9*"), "x%3D1%26y%3D%25/%C3%A9%2A");
  EXPECT_EQ(S3PathEncode(""), "");
}

TEST(ObjectSinkFactory, RejectsUnparseableUrls) {
  for (const char* url : {"ftp://x", "http://", "https://", "file://relative", "file:relative", "s3://bucket",
                          "http://host:notaport", "http://host:0", "http://host:70000", "http://host:",
                          "http://user@host:9000", "http://host:9000/prefix", "http://::1:9000", "file:///a%zz",
                          "", "127.0.0.1:9000"}) {
    auto sink = MakeObjectSink(url, "us-east-1", "", "");
    ASSERT_FALSE(sink.ok()) << url;
    EXPECT_EQ(sink.status().code(), Errc::kInvalidArgument) << url;
    EXPECT_NE(sink.status().message().find("--s3-endpoint"), std::string::npos) << sink.status().message();
  }
}

TEST(ObjectSinkFactory, AcceptsFileAndHttpUrlsAndDescribesThemAsGiven) {
  for (const char* url : {"file:///var/lib/riffle/objects", "file://localhost/tmp/x/", "file:///",
                          "http://127.0.0.1:9000", "http://minio:9000/", "http://[::1]:9000", "http://s3.local",
                          "https://s3.eu-west-1.amazonaws.com", "https://127.0.0.1:9443"}) {
    auto sink = MustMake(url);
    ASSERT_NE(sink, nullptr) << url;
    EXPECT_EQ(sink->Describe(), url);
  }
}

TEST(ObjectSinkFactory, CredentialsComeInPairs) {
  auto sink = MakeObjectSink("http://127.0.0.1:9000", "us-east-1", "AKID", "");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), Errc::kInvalidArgument);
}

TEST(FileSink, RoundTripReplacesAndLeavesNoTemporaryFile) {
  TempDir dir;
  auto sink = MustMake("file://" + dir.path().string() + "/objects");  // created on the first Put
  ASSERT_NE(sink, nullptr);
  const std::string bytes("\x1f\x8b\0binary\r\n\xff", 12);
  ASSERT_TRUE(sink->Put(Object("bucket", "year=2024/month=01/part-0001.gz", bytes)).ok());
  const fs::path file = dir.path() / "objects" / "bucket" / "year=2024" / "month=01" / "part-0001.gz";
  EXPECT_EQ(ReadFile(file), bytes);

  ASSERT_TRUE(sink->Put(Object("bucket", "year=2024/month=01/part-0001.gz", "shorter")).ok());
  EXPECT_EQ(ReadFile(file), "shorter");

  ASSERT_TRUE(sink->Put(Object("bucket", "top level key with spaces", "")).ok());
  EXPECT_TRUE(fs::exists(dir.path() / "objects" / "bucket" / "top level key with spaces"));
  EXPECT_EQ(fs::file_size(dir.path() / "objects" / "bucket" / "top level key with spaces"), 0u);
  EXPECT_FALSE(HasTempFiles(dir.path()));
}

TEST(FileSink, RejectsKeysLeavingTheBucketAndBadBuckets) {
  TempDir dir;
  auto sink = MustMake("file://" + dir.path().string());
  ASSERT_NE(sink, nullptr);
  for (const char* key : {"../x", "a/../../x", "a//b", "/a", "a/", "", "./a", ".."}) {
    Status status = sink->Put(Object("bucket", key, "x"));
    EXPECT_EQ(status.code(), Errc::kInvalidArgument) << key;
  }
  for (const char* bucket : {"", ".", "..", ".hidden", "a/b", "/abs"}) {
    Status status = sink->Put(Object(bucket, "k", "x"));
    EXPECT_EQ(status.code(), Errc::kInvalidArgument) << bucket;
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(FileSink, StorageErrorWhenTheDirectoryCannotBeMade) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  auto sink = MustMake("file://" + (dir.path() / "file").string());
  ASSERT_NE(sink, nullptr);
  Status status = sink->Put(Object("bucket", "k", "x"));
  EXPECT_EQ(status.code(), Errc::kStorageError) << status.message();
}

// One HTTP/1.1 exchange on 127.0.0.1: records the request, answers `status`
// with `body`.
class FakeS3 {
 public:
  FakeS3(unsigned status, std::string body) : status_(status), body_(std::move(body)) {
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    thread_ = std::thread([this] {
      tcp::socket socket(io_);
      acceptor_.accept(socket);
      boost::beast::flat_buffer buffer;
      http::read(socket, buffer, request_);
      http::response<http::string_body> response{static_cast<http::status>(status_), 11};
      response.body() = body_;
      response.prepare_payload();
      http::write(socket, response);
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }
  ~FakeS3() { Wait(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  // The request received, once the exchange is over.
  const http::request<http::string_body>& Wait() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  const unsigned status_;
  const std::string body_;
  http::request<http::string_body> request_;
  std::thread thread_;
};

std::string Header(const http::request<http::string_body>& request, const char* name) {
  auto it = request.find(name);
  return it == request.end() ? std::string("<absent>") : std::string(it->value());
}

TEST(S3Sink, SendsASignedPathStylePut) {
  FakeS3 server(200, "");
  auto sink = MustMake(server.url(), "AKID", "SECRET");
  ASSERT_NE(sink, nullptr);
  core::ObjectPut object = Object("my-bucket", "logs/2024 01/a+b.gz", std::string("\x1f\x8b\0zz", 5));
  object.content_encoding = "gzip";
  object.storage_class = "GLACIER_IR";
  object.expected_bucket_owner = "123456789012";
  Status status = sink->Put(object);
  EXPECT_TRUE(status.ok()) << status.message();

  const auto& request = server.Wait();
  EXPECT_EQ(request.method(), http::verb::put);
  EXPECT_EQ(request.target(), "/my-bucket/logs/2024%2001/a%2Bb.gz");
  EXPECT_EQ(request.body(), object.body);
  const std::string host = server.url().substr(7);
  EXPECT_EQ(Header(request, "Host"), host);
  EXPECT_EQ(Header(request, "Content-Length"), "5");
  EXPECT_EQ(Header(request, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(Header(request, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(request, "x-amz-storage-class"), "GLACIER_IR");
  EXPECT_EQ(Header(request, "x-amz-expected-bucket-owner"), "123456789012");
  EXPECT_EQ(Header(request, "x-amz-content-sha256"), kinesis::internal::Sha256Hex(object.body));
  EXPECT_EQ(Header(request, "x-amz-security-token"), "<absent>");

  const std::string amz_date = Header(request, "x-amz-date");
  ASSERT_EQ(amz_date.size(), 16u);
  // The signature checks out over what arrived.
  kinesis::internal::SignableRequest signable;
  signable.method = "PUT";
  const std::string target(request.target());
  signable.path = target;
  const std::string sha = Header(request, "x-amz-content-sha256");
  signable.headers = {{"host", host},
                      {"x-amz-date", amz_date},
                      {"x-amz-content-sha256", sha},
                      {"x-amz-storage-class", "GLACIER_IR"},
                      {"x-amz-expected-bucket-owner", "123456789012"}};
  signable.payload_sha256_hex = sha;
  kinesis::internal::SigV4Signer signer({"AKID", "SECRET", ""}, "eu-west-1", "s3");
  const std::string authorization = Header(request, "Authorization");
  EXPECT_EQ(authorization, signer.Authorization(signable, amz_date));
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKID/" + amz_date.substr(0, 8) +
                                    "/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
                                    "x-amz-expected-bucket-owner;x-amz-storage-class, Signature=",
                                0),
            0u)
      << authorization;
}

TEST(S3Sink, OmitsStandardStorageClassAndEmptyOptionalHeaders) {
  FakeS3 server(200, "");
  auto sink = MustMake(server.url());
  ASSERT_NE(sink, nullptr);
  EXPECT_TRUE(sink->Put(Object("b", "k", "body")).ok());
  const auto& request = server.Wait();
  EXPECT_EQ(Header(request, "x-amz-storage-class"), "<absent>");
  EXPECT_EQ(Header(request, "x-amz-expected-bucket-owner"), "<absent>");
  EXPECT_EQ(Header(request, "Content-Encoding"), "<absent>");
  EXPECT_NE(Header(request, "Authorization").find("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"),
            std::string::npos);
}

TEST(S3Sink, Non2xxAnswerIsUnavailableWithTheBodysStart) {
  const std::string error_body = "<Error><Code>AccessDenied</Code></Error>" + std::string(400, 'x');
  FakeS3 server(403, error_body);
  auto sink = MustMake(server.url());
  ASSERT_NE(sink, nullptr);
  Status status = sink->Put(Object("b", "dir/k", "body"));
  EXPECT_EQ(status.code(), Errc::kUnavailable);
  EXPECT_EQ(status.message(), "S3 PUT b/dir/k to " + server.url() + " answered 403: " + error_body.substr(0, 300));
}

TEST(S3Sink, ConnectionErrorIsUnavailable) {
  boost::asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const std::string url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  acceptor.close();  // nobody listens there now
  auto sink = MustMake(url);
  ASSERT_NE(sink, nullptr);
  Status status = sink->Put(Object("b", "k", "body"));
  EXPECT_EQ(status.code(), Errc::kUnavailable);
  EXPECT_EQ(status.message().rfind("S3 PUT b/k to " + url + ": connecting: ", 0), 0u) << status.message();
}

// Against a real S3-compatible server, only when RIFFLE_TEST_S3_ENDPOINT
// names one (e.g. `python3 -m moto.server -p 5055` and
// RIFFLE_TEST_S3_ENDPOINT=http://127.0.0.1:5055). The bucket
// (RIFFLE_TEST_S3_BUCKET, default "riffle-test") must exist; credentials from
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. Read the objects back to compare:
// riffle-test/plain.bin is the bytes 0..255; "riffle-test/with space/part 1.gz"
// is "hello, riffle\n" gzipped, stored with Content-Encoding gzip. (No '+' in
// the keys: moto's signature check, INITIAL_NO_AUTH_ACTION_COUNT, rejects
// keys with '+' or '=' even from boto3.)
TEST(S3SinkLive, PutsObjects) {
  const char* endpoint = std::getenv("RIFFLE_TEST_S3_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') GTEST_SKIP() << "RIFFLE_TEST_S3_ENDPOINT is not set";
  const char* bucket_env = std::getenv("RIFFLE_TEST_S3_BUCKET");
  const std::string bucket = bucket_env != nullptr && *bucket_env != '\0' ? bucket_env : "riffle-test";
  const char* region = std::getenv("AWS_DEFAULT_REGION");
  auto made = MakeObjectSink(endpoint, region != nullptr ? region : "us-east-1", "", "");
  ASSERT_TRUE(made.ok()) << made.status().message();
  auto sink = std::move(made).value();

  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  Status status = sink->Put(Object(bucket, "riffle-test/plain.bin", bytes));
  EXPECT_TRUE(status.ok()) << status.message();

  // gzip of "hello, riffle\n" (gzip -n).
  const std::string gzipped(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\xd7\x51\x28\xca\x4c\x4b\xcb\x49\xe5\x02\x00"
      "\xe5\x19\x8b\x52\x0e\x00\x00\x00",
      34);
  core::ObjectPut gz = Object(bucket, "riffle-test/with space/part 1.gz", gzipped);
  gz.content_encoding = "gzip";
  gz.storage_class = "INTELLIGENT_TIERING";
  status = sink->Put(gz);
  EXPECT_TRUE(status.ok()) << status.message();

  status = sink->Put(Object("riffle-test-no-such-bucket-7f3a", "k", "x"));
  EXPECT_EQ(status.code(), Errc::kUnavailable);
  EXPECT_NE(status.message().find(" answered 404: "), std::string::npos) << status.message();
}

}  // namespace
}  // namespace riffle::app
