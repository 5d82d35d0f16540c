// Plain HTTP request/response values exchanged between the listener
// (http_server.h) and whatever answers requests (api_router.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/buffer_cache.h"
#include "protocol/body_stream.h"

namespace riffle::net {

struct HttpRequest {
  HttpRequest() = default;
  HttpRequest(const HttpRequest&) = default;
  HttpRequest(HttpRequest&&) noexcept = default;
  HttpRequest& operator=(const HttpRequest&) = default;
  HttpRequest& operator=(HttpRequest&&) noexcept = default;
  // A large body's buffer goes to the next large request rather than back
  // to the allocator (whose decay would have it page-faulted in afresh).
  ~HttpRequest() { BufferCache::Global().Give(std::move(body)); }

  std::string method;  // "POST"
  std::string target;  // request-target as received, e.g. "/"
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;
  // HTTP/2's :authority pseudo-header ("" over HTTP/1.1), which SigV4 over
  // HTTP/2 signs; it is also passed on as a "host" header.
  std::string authority;
  bool tls = false;  // arrived over TLS (aws:SecureTransport)

  // Value of the first header named `name` (ASCII case-insensitive), or ""
  // when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added by the server
  std::string body;
  // When set, the body is this stream instead (`body` is ignored): sent with
  // chunked transfer-encoding over HTTP/1.1, as DATA frames over HTTP/2,
  // pulled only as fast as the peer takes it.
  std::shared_ptr<protocol::BodyStream> stream;
};

// Completes one request. Must be called exactly once; may be called from any
// thread (the server hands the response back to the connection's executor).
using ResponseSender = std::function<void(HttpResponse)>;

// Answers requests. Implementations must be thread-safe: Handle() is called
// concurrently from every I/O thread. Handle() must not block on I/O; slow
// work completes later through `send`.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void Handle(HttpRequest request, ResponseSender send) = 0;
};

}  // namespace riffle::net
