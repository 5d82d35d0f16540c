// ApiRouter: the Kinesis API's HTTP framing on top of the listener.
//
// For each request, in the order Kinesis checks them: method, content type,
// empty body, JSON shape, X-Amz-Target (service and operation), then the
// presence and shape of SigV4 authorization; then the operation's handler.
// application/x-amz-cbor-1.1 bodies are transcoded to and from the JSON the
// handlers speak (protocol/cbor_transcode.h; docs/cbor.md).
// With credentials configured (RouterOptions::credentials) the signature is
// verified and the caller authorized (docs/security.md). CORS as Kinesis
// answers browsers: an OPTIONS preflight with Origin gets 200 and the
// Access-Control-Allow-* headers; every response to a request with Origin
// carries Access-Control-Allow-Origin and -Expose-Headers.
// Every response carries x-amzn-RequestId and x-amz-id-2. Errors are
// rendered by protocol/error_render; unexpected exceptions become a 500
// InternalFailure. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/stream_service.h"
#include "handlers/authorizer.h"
#include "handlers/handler.h"
#include "net/control_pool.h"
#include "handlers/key_ring.h"
#include "net/http_types.h"
#include "protocol/api_result.h"
#include "protocol/sigv4_verifier.h"

namespace riffle::handlers {
class Admission;
class TrafficMeter;
}  // namespace riffle::handlers

namespace riffle::net {

class AccessLog;
class RequestMetrics;

struct RouterOptions {
  std::string default_account_id = "000000000000";
  std::string default_region = "us-east-1";
  // Account of each access key id (the SigV4 credential's first part);
  // other keys act in default_account_id.
  std::map<std::string, std::string, std::less<>> accounts;
  // Limits and fault injection; nullptr when off. Must outlive the router.
  handlers::Admission* admission = nullptr;
  // Threads for control-plane operations (net/control_pool.h), and how many
  // may wait before new ones are answered "try again".
  int control_threads = 4;
  size_t control_queue = 4096;
  // The accepted keys (--credentials); nullptr: any signature is accepted
  // (only its shape is checked), as without credentials. When set, every
  // request's SigV4 signature is verified before its body is decoded and
  // every operation is authorized (handlers/authorizer.h). Must outlive the
  // router.
  const handlers::KeyRingSlot* credentials = nullptr;
  // Counts records in and out per stream (the console's rates); nullptr
  // when off. Must outlive the router.
  handlers::TrafficMeter* traffic = nullptr;
  core::ChannelService* channels = nullptr;  // serves the channel operations when set
  // Counts every request by operation and status, with its latency
  // (/metrics); nullptr when off. Must outlive the router.
  RequestMetrics* metrics = nullptr;
  // Logs every request (--access-log); nullptr when off. Must outlive the
  // router.
  AccessLog* access_log = nullptr;
};

class ApiRouter final : public RequestHandler {
 public:
  ApiRouter(core::StreamService& streams, RouterOptions options);
  void Handle(HttpRequest request, ResponseSender send) override;

  // The context `request` acts in (its account, region and, with
  // --credentials, its verified caller, for `operation`), once its SigV4
  // authorization passed the checks every API call passes; the error
  // otherwise. For other routes of the same port (net/console_router.h),
  // which authorize each resource with handlers/handler_support.h.
  protocol::ApiResult<handlers::Context> Authorize(const HttpRequest& request, std::string_view operation);

 private:
  handlers::Context ContextFor(const HttpRequest& request, std::shared_ptr<const handlers::Caller> caller,
                               std::string_view operation);
  // With credentials: the verified caller, or the error to answer.
  protocol::ApiResult<std::shared_ptr<const handlers::Caller>> Authenticate(const HttpRequest& request);
  void HandleCbor(HttpRequest& request, const handlers::Handler* handler, std::string_view operation,
                  const std::string& request_id, const ResponseSender& send);
  // Runs the handler inline or on a control thread (handlers::Runs).
  // `reply_error` renders an error in the request's protocol.
  void Dispatch(const handlers::Handler* handler, handlers::Context context, std::string body,
                handlers::Reply reply, std::function<void(const protocol::ApiError&)> reply_error);

  core::StreamService& streams_;
  RouterOptions options_;
  ControlPool control_;
  protocol::SigV4Verifier verifier_;
  handlers::Authorizer authorizer_;
};

}  // namespace riffle::net
