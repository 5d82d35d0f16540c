// ApiRouter: the Kinesis API's HTTP framing on top of the listener.
//
// For each request, in the order Kinesis checks them: method, content type,
// empty body, JSON shape, X-Amz-Target (service and operation), then the
// presence and shape of SigV4 authorization; then the operation's handler.
// application/x-amz-cbor-1.1 bodies are transcoded to and from the JSON the
// handlers speak (protocol/cbor_transcode.h; docs/cbor.md).
// Every response carries x-amzn-RequestId and x-amz-id-2. Errors are
// rendered by protocol/error_render; unexpected exceptions become a 500
// InternalFailure. Thread-safe.
#pragma once

#include <map>
#include <string>

#include "core/stream_service.h"
#include "handlers/handler.h"
#include "net/http_types.h"

namespace riffle::handlers {
class Admission;
}  // namespace riffle::handlers

namespace riffle::net {

struct RouterOptions {
  std::string default_account_id = "000000000000";
  std::string default_region = "us-east-1";
  // Account of each access key id (the SigV4 credential's first part);
  // other keys act in default_account_id.
  std::map<std::string, std::string, std::less<>> accounts;
  // Limits and fault injection; nullptr when off. Must outlive the router.
  handlers::Admission* admission = nullptr;
};

class ApiRouter final : public RequestHandler {
 public:
  ApiRouter(core::StreamService& streams, RouterOptions options);
  void Handle(HttpRequest request, ResponseSender send) override;

 private:
  handlers::Context ContextFor(const HttpRequest& request) const;
  void HandleCbor(const HttpRequest& request, const handlers::Handler* handler, std::string_view operation,
                  const std::string& request_id, const ResponseSender& send);

  core::StreamService& streams_;
  RouterOptions options_;
};

}  // namespace riffle::net
