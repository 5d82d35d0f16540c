// ClientCore::CallAsync: one call's attempts. Each attempt leases a pooled
// connection, signs the request anew (X-Amz-Date changes), sends it, and
// reads the answer; a 2xx answer completes the call, anything else is an
// Error that RetryPolicy may retry after its backoff (on a timer of the
// call's own strand).
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "client/client_core.h"
#include "client/service_error.h"

namespace riffle::kinesis::internal {

namespace asio = boost::asio;

namespace {

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(ClientCore& core, std::string operation, std::shared_ptr<const std::string> body, std::string hash,
       Callback<RawResponse> done)
      : core_(core),
        operation_(std::move(operation)),
        body_(std::move(body)),
        hash_(hash.empty() ? Sha256Hex(*body_) : std::move(hash)),
        done_(std::move(done)),
        timer_(asio::make_strand(core.io())) {}

  void Attempt() {
    ++attempt_;
    core_.pool().Acquire([self = shared_from_this()](std::shared_ptr<Http1Connection> connection) {
      if (!connection) {
        self->Complete(Error(ErrorCode::kCancelled, "client closed"));
        return;
      }
      HttpRequest request;
      request.target = self->core_.settings().endpoint.path;
      request.headers = self->core_.SignedHeaders(self->operation_, self->hash_);
      request.body = self->body_;
      connection->Exchange(std::move(request), [self, connection](Result<HttpResponse> answer, bool reusable) {
        self->core_.pool().Release(connection, reusable);
        self->OnAnswer(std::move(answer));
      });
    });
  }

 private:
  void OnAnswer(Result<HttpResponse> answer) {
    std::optional<std::chrono::milliseconds> retry_after;
    if (answer.ok() && answer->status >= 200 && answer->status < 300) {
      core_.retry().OnSuccess(retry_cost_);
      Complete(RawResponse{answer->status, std::move(answer->body), std::move(answer->request_id)});
      return;
    }
    if (answer.ok()) retry_after = answer->retry_after;
    Error error = answer.ok() ? ServiceError(answer->status, answer->body, answer->error_type,
                                             std::move(answer->request_id))
                              : std::move(answer).error();
    if (core_.closing()) {
      Complete(std::move(error));
      return;
    }
    auto decision = core_.retry().OnFailure(error, attempt_, retry_after);
    if (!decision) {
      Complete(std::move(error));
      return;
    }
    retry_cost_ += decision->cost;
    // A waiting retry is cut short when the client closes.
    closer_ = core_.AddCloser([self = shared_from_this()] {
      asio::post(self->timer_.get_executor(), [self] { self->timer_.cancel(); });
    });
    timer_.expires_after(decision->delay);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
      self->core_.RemoveCloser(*self->closer_);
      self->closer_.reset();
      if (self->core_.closing()) {
        self->Complete(Error(ErrorCode::kCancelled, "client closed"));
        return;
      }
      self->Attempt();
    });
  }

  void Complete(Result<RawResponse> result) {
    Callback<RawResponse> done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
    core_.EndWork();
  }

  ClientCore& core_;
  const std::string operation_;
  const std::shared_ptr<const std::string> body_;
  const std::string hash_;
  Callback<RawResponse> done_;
  asio::steady_timer timer_;
  int attempt_ = 0;
  int retry_cost_ = 0;
  std::optional<size_t> closer_;
};

}  // namespace

void ClientCore::CallAsync(std::string_view operation, std::string body, std::string payload_sha256_hex,
                           Callback<RawResponse> done) {
  CallAsync(operation, std::make_shared<const std::string>(std::move(body)), std::move(payload_sha256_hex),
            std::move(done));
}

void ClientCore::CallAsync(std::string_view operation, std::shared_ptr<const std::string> body,
                           std::string payload_sha256_hex, Callback<RawResponse> done) {
  if (!BeginWork()) {
    done(Error(ErrorCode::kCancelled, "client closed"));
    return;
  }
  std::make_shared<Call>(*this, std::string(operation), std::move(body), std::move(payload_sha256_hex),
                         std::move(done))
      ->Attempt();
}

}  // namespace riffle::kinesis::internal
