#include "net/api_router.h"

#include <ctime>
#include <exception>
#include <optional>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "handlers/admission.h"
#include "handlers/handlers.h"
#include "protocol/cbor_event_stream.h"
#include "protocol/cbor_transcode.h"
#include "protocol/error_render.h"
#include "protocol/json_probe.h"
#include "net/access_log.h"
#include "net/request_metrics.h"

namespace riffle::net {

namespace {

constexpr std::string_view kServicePrefix = "Kinesis_20131202";
constexpr std::string_view kJson11 = "application/x-amz-json-1.1";
constexpr std::string_view kPlainJson = "application/json";
constexpr std::string_view kCbor11 = "application/x-amz-cbor-1.1";

std::string NewRequestId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t a = random(), b = random();
  std::string id(36, '-');
  int bit = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    uint64_t word = bit < 64 ? a : b;
    id[i] = kHex[(word >> (bit % 64)) & 0xF];
    bit += 4;
  }
  id[14] = '4';  // UUID version 4
  return id;
}

std::string NewExtendedRequestId() {
  // 72 random bytes, base64 — the shape of Kinesis's x-amz-id-2.
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out(96, 'A');
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t word = random();
    for (size_t k = 0; k < 8; ++k) out[i + k] = kAlphabet[(word >> (k * 6)) & 63];
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A response carrying the request ids.
HttpResponse Response(int status, std::string_view content_type, std::string body, const std::string& request_id) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("x-amzn-RequestId", request_id);
  r.headers.emplace_back("x-amz-id-2", NewExtendedRequestId());
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", std::string(content_type));
  r.body = std::move(body);
  return r;
}

// CORS, as Kinesis answers browsers (the headers kinesalite reproduces):
// every response to a request with Origin allows any origin and exposes the
// request id and error headers; a preflight (OPTIONS with Origin) echoes the
// requested method and headers and may be cached for two days.
constexpr std::string_view kExposeHeaders =
    "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date";

HttpResponse Preflight(const HttpRequest& request, const std::string& request_id) {
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("x-amzn-RequestId", request_id);
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  if (request.HasHeader("access-control-request-headers")) {
    r.headers.emplace_back("Access-Control-Allow-Headers",
                           std::string(request.Header("access-control-request-headers")));
  }
  if (request.HasHeader("access-control-request-method")) {
    r.headers.emplace_back("Access-Control-Allow-Methods",
                           std::string(request.Header("access-control-request-method")));
  }
  r.headers.emplace_back("Access-Control-Max-Age", "172800");
  return r;
}

// `send`, adding the CORS headers to every response when the request has an Origin.
ResponseSender WithCors(const HttpRequest& request, ResponseSender send) {
  if (!request.HasHeader("origin")) return send;
  return [send = std::move(send)](HttpResponse response) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposeHeaders));
    send(std::move(response));
  };
}

HttpResponse XmlError(int status, std::string_view type, std::string_view message, const std::string& request_id) {
  std::string body = "<" + std::string(type) + ">\n  <Message>" + std::string(message) + "</Message>\n</" +
                     std::string(type) + ">\n";
  return Response(status, "", std::move(body), request_id);
}

HttpResponse JsonError(const protocol::ApiError& error, const std::string& request_id) {
  return Response(error.http_status, kJson11, protocol::RenderErrorJson(error), request_id);
}

HttpResponse CborError(const protocol::ApiError& error, const std::string& request_id) {
  return Response(error.http_status, kCbor11, protocol::RenderErrorCbor(error), request_id);
}

// The region of the SigV4 credential scope: Credential=<key>/<date>/<region>/<service>/aws4_request.
std::string_view ScopeRegion(std::string_view authorization) {
  size_t at = authorization.find("Credential=");
  if (at == std::string_view::npos) return {};
  std::string_view rest = authorization.substr(at + 11);
  rest = rest.substr(0, rest.find_first_of(", "));
  for (int i = 0; i < 2; ++i) {
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return {};
    rest.remove_prefix(slash + 1);
  }
  return rest.substr(0, rest.find('/'));
}

// The access key id of the SigV4 credential scope (its first part).
std::string_view ScopeAccessKey(std::string_view authorization) {
  size_t at = authorization.find("Credential=");
  if (at == std::string_view::npos) return {};
  std::string_view rest = authorization.substr(at + 11);
  return rest.substr(0, rest.find_first_of("/, "));
}

// The message of an IncompleteSignatureException for a malformed header, or
// "" when the header has what Kinesis requires.
std::string IncompleteSignature(std::string_view authorization, const HttpRequest& request) {
  std::string message;
  for (std::string_view param : {"Credential", "Signature", "SignedHeaders"}) {
    std::string needle = std::string(param) + "=";
    size_t at = authorization.find(needle);
    bool present = at != std::string_view::npos && at + needle.size() < authorization.size() &&
                   authorization[at + needle.size()] != ',' && authorization[at + needle.size()] != ' ';
    if (!present) message += "Authorization header requires '" + std::string(param) + "' parameter. ";
  }
  if (!request.HasHeader("x-amz-date") && !request.HasHeader("date")) {
    message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!message.empty()) message += "Authorization=" + std::string(authorization);
  return message;
}

// The query-string parameters of a request target ("/?a=b&c"), keys and
// values as sent (SigV4 query parameter names need no decoding).
std::vector<std::pair<std::string_view, std::string_view>> QueryParams(std::string_view target) {
  std::vector<std::pair<std::string_view, std::string_view>> params;
  size_t q = target.find('?');
  if (q == std::string_view::npos) return params;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    size_t eq = part.find('=');
    if (!part.empty()) {
      params.emplace_back(part.substr(0, eq), eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return params;
}

bool HasParam(const std::vector<std::pair<std::string_view, std::string_view>>& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return true;
  }
  return false;
}

// The message of an IncompleteSignatureException for a presigned (query
// string) request missing one of the SigV4 parameters, or "".
std::string IncompleteQuerySignature(const std::vector<std::pair<std::string_view, std::string_view>>& params) {
  std::string message;
  for (std::string_view name :
       {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}) {
    bool present = false;
    for (const auto& [k, v] : params) present = present || (k == name && !v.empty());
    if (!present) message += "AWS query-string parameters must include '" + std::string(name) + "'. ";
  }
  if (!message.empty()) message += "Re-examine the query-string parameters.";
  return message;
}

// The error Kinesis gives for a request whose SigV4 authorization (header
// or query string) is missing, doubled or incomplete; nullopt if it is
// well-formed. Signatures are not verified.
std::optional<protocol::ApiError> SignatureError(const HttpRequest& request) {
  std::string_view authorization = request.Header("authorization");
  auto query = QueryParams(request.target);
  bool query_auth = HasParam(query, "X-Amz-Algorithm");
  if (!authorization.empty() && query_auth) {
    return protocol::ApiError{400, "InvalidSignatureException",
                              "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."};
  }
  if (authorization.empty() && !query_auth) return protocol::ApiError::MissingAuthenticationToken();
  std::string incomplete =
      authorization.empty() ? IncompleteQuerySignature(query) : IncompleteSignature(authorization, request);
  if (!incomplete.empty()) return protocol::ApiError{400, "IncompleteSignatureException", std::move(incomplete)};
  return std::nullopt;
}

}  // namespace

handlers::Context ApiRouter::ContextFor(const HttpRequest& request, std::shared_ptr<const handlers::Caller> caller,
                                        std::string_view operation) {
  handlers::Context context{streams_, {options_.default_account_id, options_.default_region}, {}};
  std::string_view authorization = request.Header("authorization");
  std::string_view region = ScopeRegion(authorization);
  if (!region.empty()) context.scope.region = std::string(region);
  if (caller) {
    context.scope.account_id = caller->account_id;
  } else if (auto account = options_.accounts.find(ScopeAccessKey(authorization)); account != options_.accounts.end()) {
    context.scope.account_id = account->second;
  }
  context.admission = options_.admission;
  if (caller) context.authorizer = &authorizer_;
  context.caller = std::move(caller);
  context.operation = operation;
  context.secure_transport = request.tls;
  context.traffic = options_.traffic;
  context.channels = options_.channels;
  return context;
}

protocol::ApiResult<handlers::Context> ApiRouter::Authorize(const HttpRequest& request, std::string_view operation) {
  if (std::optional<protocol::ApiError> error = SignatureError(request)) return std::move(*error);
  auto caller = Authenticate(request);
  if (!caller.ok()) return caller.error();
  return ContextFor(request, std::move(caller).value(), operation);
}

protocol::ApiResult<std::shared_ptr<const handlers::Caller>> ApiRouter::Authenticate(const HttpRequest& request) {
  if (options_.credentials == nullptr) return std::shared_ptr<const handlers::Caller>();
  if (!request.HasHeader("authorization")) {
    // Wording is Riffle's: presigned (query-string) requests are not verified.
    return protocol::ApiError{400, "InvalidSignatureException",
                              "Presigned (query-string) requests are not accepted; sign the Authorization header."};
  }
  std::shared_ptr<const handlers::KeyRing> ring = options_.credentials->Get();
  const handlers::KeyEntry* entry = nullptr;
  protocol::SecretLookup lookup = [&](std::string_view key) -> const protocol::SigningSecret* {
    entry = ring->Find(key);
    return entry == nullptr ? nullptr : &entry->secret;
  };
  protocol::SignedRequest signed_request{request.method, request.target, request.headers, request.authority,
                                         request.body};
  auto verified = verifier_.Verify(signed_request, lookup, static_cast<int64_t>(std::time(nullptr)));
  if (!verified.ok()) return verified.error();
  return entry->caller;
}

// application/x-amz-cbor-1.1, after the method, content type and empty-body
// checks: the body is decoded (malformed -> SerializationException) before
// the operation and the signature's shape are checked, as Kinesis does (with
// credentials configured the signature is verified first); the
// handler sees the transcoded JSON and its answer is transcoded back (an
// event stream message by message, protocol/cbor_event_stream.h).
void ApiRouter::HandleCbor(HttpRequest& request, const handlers::Handler* handler,
                           std::string_view operation, const std::string& request_id, const ResponseSender& send) {
  // With credentials, the signature is verified before the body is decoded.
  std::shared_ptr<const handlers::Caller> caller;
  if (options_.credentials != nullptr) {
    if (std::optional<protocol::ApiError> error = SignatureError(request)) return send(CborError(*error, request_id));
    auto authenticated = Authenticate(request);
    if (!authenticated.ok()) return send(CborError(authenticated.error(), request_id));
    caller = std::move(authenticated).value();
  }
  protocol::OperationShapes shapes =
      handler != nullptr ? protocol::FindOperationShapes(operation) : protocol::OperationShapes{nullptr, nullptr};
  protocol::ApiResult<std::string> json = protocol::CborRequestToJson(request.body, shapes.input);
  if (!json.ok()) return send(CborError(json.error(), request_id));
  if (handler == nullptr) return send(CborError(protocol::ApiError::UnknownOperation(), request_id));
  if (std::optional<protocol::ApiError> error = SignatureError(request)) return send(CborError(*error, request_id));
  handlers::Context context = ContextFor(request, std::move(caller), handler->operation);
  if (context.admission != nullptr) {
    if (auto refused = context.admission->AdmitCall(operation, context.scope, json.value())) {
      return send(CborError(*refused, request_id));
    }
  }
  // Event streams (SubscribeToShard): same framing, CBOR payloads.
  context.stream_reply = [send, request_id](std::shared_ptr<protocol::BodyStream> body, std::string content_type) {
    HttpResponse response = Response(200, content_type, "", request_id);
    response.stream = std::make_shared<protocol::CborEventStream>(std::move(body));
    send(std::move(response));
  };
  const protocol::Shape* output = shapes.output;
  Dispatch(
      handler, std::move(context), std::move(json).value(),
      [send, request_id, output](protocol::ApiResult<std::string> result) {
        if (!result.ok()) return send(CborError(result.error(), request_id));
        // An empty output is an empty body, over CBOR as over JSON.
        if (result.value().empty()) return send(Response(200, kCbor11, "", request_id));
        protocol::ApiResult<std::string> body = protocol::JsonResponseToCbor(result.value(), output);
        if (!body.ok()) return send(CborError(body.error(), request_id));
        send(Response(200, kCbor11, std::move(body).value(), request_id));
      },
      [send, request_id](const protocol::ApiError& error) { send(CborError(error, request_id)); });
}

ApiRouter::ApiRouter(core::StreamService& streams, RouterOptions options)
    : streams_(streams),
      options_(std::move(options)),
      control_(options_.control_threads, options_.control_queue),
      authorizer_(streams) {}

void ApiRouter::Dispatch(const handlers::Handler* handler, handlers::Context context, std::string body,
                         handlers::Reply reply, std::function<void(const protocol::ApiError&)> reply_error) {
  if (handler->runs == handlers::Runs::kInline) {
    handler->handle(context, body, std::move(reply));
    // Handlers keep no view of the body once they return; a large body's
    // buffer goes to the next large request (http_types.h).
    BufferCache::Global().Give(std::move(body));
    return;
  }
  auto task = [handler, context = std::move(context), body = std::move(body), reply, reply_error] {
    try {
      handler->handle(context, body, reply);
    } catch (const std::exception& e) {
      reply_error(protocol::ApiError::InternalFailure(e.what()));
    }
  };
  if (!control_.Post(std::move(task))) {
    // As AWS answers when it cannot take a call now; SDKs retry it.
    reply_error({503, "ServiceUnavailable", "Service Unavailable"});
  }
}

void ApiRouter::Handle(HttpRequest request, ResponseSender send) {
  std::string request_id = NewRequestId();
  if (options_.metrics != nullptr || options_.access_log != nullptr) {
    std::string_view target = request.Header("x-amz-target");
    const size_t dot = target.find('.');
    const std::string_view operation = dot == std::string_view::npos ? std::string_view() : target.substr(dot + 1);
    if (options_.metrics != nullptr) send = options_.metrics->Wrap(operation, std::move(send));
    if (options_.access_log != nullptr) send = options_.access_log->Wrap(request, operation, std::move(send));
  }
  bool cbor = false;
  if (request.method == "OPTIONS" && request.HasHeader("origin")) return send(Preflight(request, request_id));
  send = WithCors(request, std::move(send));
  try {
    if (request.method != "POST") {
      return send(XmlError(403, "AccessDeniedException", "Unable to determine service/operation name to be authorized",
                           request_id));
    }
    std::string_view content_type = request.Header("content-type");
    content_type = Trim(content_type.substr(0, content_type.find(';')));
    bool content_valid = content_type == kJson11 || content_type == kPlainJson || content_type == kCbor11;

    std::string_view target = request.Header("x-amz-target");
    size_t dot = target.find('.');
    std::string_view service = target.substr(0, dot);
    std::string_view operation = dot == std::string_view::npos ? std::string_view() : target.substr(dot + 1);
    const handlers::Handler* handler = service == kServicePrefix ? handlers::FindHandler(operation) : nullptr;
    bool known = handler != nullptr;

    if (request.body.empty()) {
      if (content_type == kJson11) {
        return send(JsonError({400, known ? "SerializationException" : "UnknownOperationException", ""}, request_id));
      }
      return send(CborError({400, known ? "SerializationException" : "UnknownOperationException", ""}, request_id));
    }
    if (!content_valid) {
      if (service.empty() || operation.empty()) {
        return send(XmlError(403, "AccessDeniedException",
                             "Unable to determine service/operation name to be authorized", request_id));
      }
      return send(Response(404, "", "<UnknownOperationException/>\n", request_id));
    }
    cbor = content_type == kCbor11;
    if (cbor) return HandleCbor(request, handler, operation, request_id, send);
    bool json_object = known ? true : protocol::IsJsonObject(request.body);
    if (!json_object || content_type == kPlainJson) {
      // application/json gets the 200 envelope Kinesis answers it with.
      if (content_type == kPlainJson) {
        // The target does not matter here: a body that is not a JSON object
        // is a SerializationException, any other an unknown operation.
        if (!protocol::IsJsonObject(request.body)) {
          return send(Response(200, kPlainJson,
                               "{\"Output\":{\"__type\":\"com.amazon.coral.service#SerializationException\","
                               "\"Message\":null},\"Version\":\"1.0\"}",
                               request_id));
        }
        return send(Response(200, kPlainJson,
                             "{\"Output\":{\"__type\":\"com.amazon.coral.service#UnknownOperationException\","
                             "\"message\":null},\"Version\":\"1.0\"}",
                             request_id));
      }
      return send(JsonError({400, "SerializationException", ""}, request_id));
    }
    if (!known) return send(JsonError(protocol::ApiError::UnknownOperation(), request_id));

    if (std::optional<protocol::ApiError> error = SignatureError(request)) {
      if (error->type == "MissingAuthenticationTokenException" && !protocol::IsJsonObject(request.body)) {
        return send(JsonError({400, "SerializationException", ""}, request_id));
      }
      return send(JsonError(*error, request_id));
    }
    auto caller = Authenticate(request);
    if (!caller.ok()) return send(JsonError(caller.error(), request_id));
    handlers::Context context = ContextFor(request, std::move(caller).value(), handler->operation);
    if (context.admission != nullptr) {
      if (auto refused = context.admission->AdmitCall(operation, context.scope, request.body)) {
        return send(JsonError(*refused, request_id));
      }
    }
    context.stream_reply = [send, request_id](std::shared_ptr<protocol::BodyStream> body, std::string content_type) {
      HttpResponse response = Response(200, content_type, "", request_id);
      response.stream = std::move(body);
      send(std::move(response));
    };
    Dispatch(
        handler, std::move(context), std::move(request.body),
        [send, request_id](protocol::ApiResult<std::string> result) {
          if (!result.ok()) return send(JsonError(result.error(), request_id));
          send(Response(200, kJson11, std::move(result).value(), request_id));
        },
        [send, request_id](const protocol::ApiError& error) { send(JsonError(error, request_id)); });
  } catch (const std::exception& e) {
    protocol::ApiError error = protocol::ApiError::InternalFailure(e.what());
    send(cbor ? CborError(error, request_id) : JsonError(error, request_id));
  }
}

}  // namespace riffle::net
