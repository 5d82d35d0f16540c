// ClientCore: what a Client is made of — resolved settings, the signer, the
// TLS context, the connection pool, the retry policy and the I/O threads —
// and the one path every call takes: CallAsync (sign, send on a pooled
// connection, classify the answer, retry per RetryPolicy, complete once).
//
// Thread-safe. Work in flight (calls, subscriptions) is counted; the
// destructor closes every connection, lets that work finish with kCancelled
// and then joins the I/O threads. REQUIRES: not destroyed on one of its own
// I/O threads. Internal to libriffle-kinesis.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "client/client_codec.h"
#include "client/connection_pool.h"
#include "client/retry_policy.h"
#include "client/settings.h"
#include "client/sigv4.h"
#include "riffle/kinesis/client.h"

namespace riffle::kinesis::internal {

class ClientCore {
 public:
  static Result<std::unique_ptr<ClientCore>> Create(const ClientOptions& options, const Getenv& getenv);
  ~ClientCore();

  // Sends `body` as `operation` (awsJson1_1, signed) with retries. `done`
  // runs once, on an I/O thread: the answer when its status is 2xx, else
  // the Error (the service's, or the library's own).
  void CallAsync(std::string_view operation, std::string body, std::string payload_sha256_hex,
                 Callback<RawResponse> done);
  void CallAsync(std::string_view operation, std::shared_ptr<const std::string> body, std::string payload_sha256_hex,
                 Callback<RawResponse> done);
  // The same, blocking. kInvalidRequest when called on an I/O thread.
  Result<RawResponse> CallSync(std::string_view operation, std::string body, std::string payload_sha256_hex = {});

  // The headers of a signed awsJson1_1 request of `operation` (Content-Type,
  // X-Amz-Target, X-Amz-Date, [X-Amz-Security-Token], Authorization,
  // User-Agent), signing `host` as the endpoint's authority.
  std::vector<std::pair<std::string, std::string>> SignedHeaders(std::string_view operation,
                                                                 std::string_view payload_sha256_hex) const;

  bool OnIoThread() const;
  boost::asio::io_context& io() { return io_; }
  const Settings& settings() const { return settings_; }
  boost::asio::ssl::context* tls() { return tls_.get(); }
  const ClientOptions& options() const { return options_; }
  RetryPolicy& retry() { return retry_; }
  ConnectionPool& pool() { return *pool_; }

  // Work accounting for shutdown: Begin() false means the client is closing
  // (do not start). Every successful Begin() is paired with one End().
  bool BeginWork();
  void EndWork();
  bool closing() const { return closing_.load(); }
  // Called on shutdown before the wait for work to end (subscriptions close
  // their connections); returns a token for RemoveCloser.
  size_t AddCloser(std::function<void()> closer);
  void RemoveCloser(size_t token);

 private:
  ClientCore(ClientOptions options, Settings settings, std::shared_ptr<boost::asio::ssl::context> tls);

  const ClientOptions options_;
  const Settings settings_;
  const SigV4Signer signer_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  RetryPolicy retry_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<ConnectionPool> pool_;
  std::vector<std::thread> threads_;
  std::atomic<bool> closing_{false};
  std::mutex mutex_;
  std::condition_variable idle_;
  size_t work_in_flight_ = 0;                                // guarded by mutex_
  std::vector<std::pair<size_t, std::function<void()>>> closers_;  // guarded by mutex_
  size_t next_closer_ = 0;                                   // guarded by mutex_
};

// Decodes a raw answer into an operation's result (an empty body reads as {}).
template <typename Output>
Result<Output> DecodeAnswer(std::string_view operation, Result<RawResponse> raw) {
  if (!raw.ok()) return std::move(raw).error();
  Output out;
  std::string_view body = raw->body;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) body = "{}";
  if (auto error = codec::DecodeJson(body, out)) {
    return Error(ErrorCode::kInvalidResponse, std::string(operation) + ": unreadable answer: " + *error);
  }
  return out;
}

template <typename Output>
Result<Output> CallTyped(ClientCore& core, std::string_view operation, std::string body) {
  return DecodeAnswer<Output>(operation, core.CallSync(operation, std::move(body)));
}

template <typename Output>
void CallTypedAsync(ClientCore& core, std::string_view operation, std::string body, Callback<Output> done) {
  core.CallAsync(operation, std::move(body), {},
                 [operation = std::string(operation), done = std::move(done)](Result<RawResponse> raw) {
                   done(DecodeAnswer<Output>(operation, std::move(raw)));
                 });
}

}  // namespace riffle::kinesis::internal
