// Client: the Kinesis Data Streams API for C++, one method per operation of
// the AWS model (riffle/kinesis/client_operations.inc, generated from the same
// model as Riffle's server), against Riffle or AWS.
//
//   #include <riffle/kinesis/kinesis.h>
//   namespace kinesis = riffle::kinesis;
//
//   auto client = kinesis::Client::Create();          // endpoint, region and
//   if (!client.ok()) { ... client.error() ... }      // credentials as the SDKs find them
//   auto put = (*client)->PutRecord({.StreamName = "orders", .Data = "hello", .PartitionKey = "c-1"});
//   if (put.ok()) std::cout << *put->ShardId << " " << *put->SequenceNumber << "\n";
//
// Requests and results are the model's shapes (riffle/kinesis/model.h): every
// member optional, set what you send, test what you read. Errors are
// Result<T>s carrying AWS's error type and message (riffle/kinesis/error.h).
//
// Transport: HTTP/1.1 keep-alive connections from a pool (at most
// max_connections at once; a call waits for a free one), https with the
// peer's certificate verified against the system's trust store (or ca_file)
// and its host name, SigV4 signatures, awsJson1_1 bodies. SubscribeToShard
// opens its own HTTP/2 connection (riffle/kinesis/subscription.h).
//
// Retries follow the AWS SDKs' "standard" retry mode (botocore 1.43
// botocore/retries/standard.py; docs.aws.amazon.com/sdkref/latest/guide/
// feature-retry-behavior.html): at most max_attempts attempts (3) for
// throttling errors, HTTP 500/502/503/504, RequestTimeout and connection
// failures; before attempt n+1 the call sleeps rand(0,1) * min(base * 2^(n-1),
// 20 s) ("full jitter"), base 1 s after throttling and 50 ms otherwise, at
// least an x-amz-retry-after header's time; a retry quota (500 tokens, 5 per
// retry, 10 per retry after a timeout or connection failure, given back on
// success) stops retries while a service keeps failing.
//
// Thread safety: a Client is thread-safe; share one (it is handed out as a
// shared_ptr) across threads. Asynchronous calls complete on the client's
// I/O threads (io_threads): callbacks must not block; they may start more
// asynchronous calls but must not make blocking calls on the same client
// (those fail with kInvalidRequest) nor destroy it.
// Destroying the Client fails calls still in flight with kCancelled (their
// callbacks run) and joins its threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "riffle/kinesis/credentials.h"
#include "riffle/kinesis/error.h"
#include "riffle/kinesis/export.h"
#include "riffle/kinesis/model.h"

namespace riffle::kinesis {

namespace internal {
class ClientCore;
}  // namespace internal

class ShardSubscription;
struct SubscriptionHandlers;

struct RetryOptions {
  // Attempts per call, the first included (1: never retry). Unset: env
  // AWS_MAX_ATTEMPTS, else the profile's max_attempts, else 3.
  std::optional<int> max_attempts;
  std::chrono::milliseconds throttling_base{1000};  // base of the backoff after throttling
  std::chrono::milliseconds transient_base{50};     // base after 5xx and connection failures
  std::chrono::milliseconds max_backoff{20000};
  bool quota = true;  // the standard mode's retry quota
};

struct ClientOptions {
  // "http://host:port" or "https://host[:port]" (a path is kept). Empty:
  // env AWS_ENDPOINT_URL_KINESIS, else AWS_ENDPOINT_URL, else the profile's
  // endpoint_url (none of these when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
  // true), else https://kinesis.REGION.amazonaws.com (.com.cn in cn-*).
  std::string endpoint;
  // SigV4 region. Empty: env AWS_REGION, else AWS_DEFAULT_REGION, else the
  // profile's region, else us-east-1.
  std::string region;
  // Profile of the shared config and credentials files. Empty: env
  // AWS_PROFILE, else "default". Naming it here also skips credentials
  // from the environment (riffle/kinesis/credentials.h).
  std::string profile;
  std::optional<Credentials> credentials;           // else the chain of credentials.h
  std::optional<Credentials> fallback_credentials;  // when the chain finds none
  // PEM file of certificates to trust for https. Empty: env AWS_CA_BUNDLE,
  // else the profile's ca_bundle, else the system's trust store.
  std::string ca_file;
  bool verify_tls = true;  // false: accept any certificate (testing only)
  RetryOptions retry;
  size_t max_connections = 32;  // open HTTP/1.1 connections at most
  int io_threads = 1;           // threads running the client's I/O and callbacks
  std::chrono::milliseconds connect_timeout{10000};  // TCP connect and TLS handshake
  std::chrono::milliseconds request_timeout{60000};  // one attempt, from sending to the whole response
};

// What an operation answered, before decoding: for Send/SendAsync.
struct RawResponse {
  int http_status = 0;
  std::string body;
  std::string request_id;
};

class RIFFLE_KINESIS_EXPORT Client {
 public:
  // Resolves endpoint, region and credentials (kInvalidConfiguration when
  // that fails: an unparsable endpoint or file, no credentials) and starts
  // the I/O threads. Connects lazily.
  static Result<std::shared_ptr<Client>> Create(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // What Create resolved.
  const std::string& endpoint() const;
  const std::string& region() const;

#include "riffle/kinesis/client_operations.inc"

  // SubscribeToShard over HTTP/2 (h2c with prior knowledge on http://
  // endpoints, ALPN h2 on https://), on a connection of its own: an event
  // reader (pull), or handlers called on an I/O thread (push); see
  // riffle/kinesis/subscription.h. Returns once the service accepted the
  // subscription, or with its error (not retried).
  Result<std::unique_ptr<ShardSubscription>> SubscribeToShard(const SubscribeToShardInput& request);
  Result<std::unique_ptr<ShardSubscription>> SubscribeToShard(const SubscribeToShardInput& request,
                                                              SubscriptionHandlers handlers);

  // Any operation as raw awsJson1_1: `body` sent as it is (signed, with the
  // same retries), a 2xx answer returned undecoded, any other as its Error.
  // `payload_sha256_hex` may carry the body's SHA-256 (lower-case hex)
  // computed earlier, saving that work per call.
  Result<RawResponse> Send(std::string_view operation, std::string body, std::string payload_sha256_hex = {});
  void SendAsync(std::string_view operation, std::string body, Callback<RawResponse> done,
                 std::string payload_sha256_hex = {});
  // The same without copying `body`: for one body sent many times.
  void SendAsync(std::string_view operation, std::shared_ptr<const std::string> body, Callback<RawResponse> done,
                 std::string payload_sha256_hex = {});

  // The library's version ("1.0.0"; the User-Agent says riffle-kinesis/VERSION).
  static std::string_view Version();

 private:
  explicit Client(std::unique_ptr<internal::ClientCore> core);
  friend class internal::ClientCore;

  std::unique_ptr<internal::ClientCore> core_;
};

}  // namespace riffle::kinesis
