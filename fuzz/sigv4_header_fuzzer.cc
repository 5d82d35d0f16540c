// The SigV4 checks of the ApiRouter: the Authorization header (its
// Credential scope gives the request's region) and the query-string form
// (X-Amz-Algorithm, X-Amz-Credential, ...), in front of a valid ListStreams;
// and the verifier (protocol/sigv4_verifier.h): the same request through a
// router with credentials (one key, AKIDFUZZ), and straight into
// SigV4Verifier::Verify at the request's own time, so that fuzzed headers
// reach the canonical request and the signature comparison.
//
// Input: flag byte, then the Authorization value, then (after the first
// newline, if any) the request target. Flag bit 0: send X-Amz-Date; bit 1:
// send Date; bit 2: send X-Amz-Security-Token; bit 3: an HTTP/2 :authority.
// Every answer is a 200 or a 4xx, never a 500; the verifier never accepts a
// signature it did not compute.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_service.h"
#include "handlers/key_ring.h"
#include "net/api_router.h"
#include "protocol/sigv4_verifier.h"

namespace {

using namespace riffle;

net::ApiRouter& Router() {
  static fuzz::FuzzService* service = fuzz::FuzzService::Open().release();
  static net::ApiRouter* router = new net::ApiRouter(service->streams(), net::RouterOptions{});
  return *router;
}

const handlers::KeyRingSlot& Keys() {
  static handlers::KeyRingSlot* slot = [] {
    auto ring = std::make_shared<handlers::KeyRing>();
    auto caller = std::make_shared<handlers::Caller>();
    caller->user_name = "fuzz";
    caller->account_id = std::string(fuzz::kAccount);
    caller->arn = "arn:aws:iam::000000000000:user/fuzz";
    ring->Add("AKIDFUZZ", handlers::KeyEntry{{"fuzz-secret", "fuzz-token"}, caller});
    return new handlers::KeyRingSlot(std::move(ring));
  }();
  return *slot;
}

net::ApiRouter& VerifyingRouter() {
  static fuzz::FuzzService* service = fuzz::FuzzService::Open().release();
  static net::ApiRouter* router = [] {
    net::RouterOptions options;
    options.credentials = &Keys();
    return new net::ApiRouter(service->streams(), options);
  }();
  return *router;
}

void Send(net::ApiRouter& router, net::HttpRequest request) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<net::HttpResponse> response;
  router.Handle(std::move(request), [&](net::HttpResponse r) {
    std::lock_guard<std::mutex> lock(mu);
    response.emplace(std::move(r));
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  if (!cv.wait_for(lock, std::chrono::minutes(1), [&] { return response.has_value(); })) {
    fuzz::Fail("no response within a minute");
  }
  if (response->status >= 500) fuzz::Fail("answered 500:", response->body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t newline = rest.find('\n');
  net::HttpRequest request;
  request.method = "POST";
  request.target = newline == std::string_view::npos ? "/" : std::string(rest.substr(newline + 1));
  request.headers.emplace_back("Host", "localhost");
  request.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  request.headers.emplace_back("X-Amz-Target", "Kinesis_20131202.ListStreams");
  if (flags & 1) request.headers.emplace_back("X-Amz-Date", "20261125T220000Z");
  if (flags & 2) request.headers.emplace_back("Date", "Wed, 25 Nov 2026 22:00:00 GMT");
  request.headers.emplace_back("Authorization", std::string(rest.substr(0, newline)));
  if (flags & 4) request.headers.emplace_back("X-Amz-Security-Token", "fuzz-token");
  if (flags & 8) request.authority = "localhost";
  request.body = "{}";

  // The verifier itself, at the request's time, with the one key.
  static protocol::SigV4Verifier verifier;
  protocol::SecretLookup lookup = [](std::string_view key) -> const protocol::SigningSecret* {
    const handlers::KeyEntry* entry = Keys().Get()->Find(key);
    return entry == nullptr ? nullptr : &entry->secret;
  };
  if (request.HasHeader("authorization")) {
    protocol::SignedRequest signed_request{request.method, request.target, request.headers, request.authority,
                                           request.body};
    auto verified = verifier.Verify(signed_request, lookup, 1795644000);  // 20261125T220000Z
    if (verified.ok()) {
      // Accepted: the signature must be the one the canonical request gives.
      protocol::AuthorizationParts parts = protocol::ParseAuthorization(request.Header("authorization"));
      std::string key = protocol::HmacSha256("AWS4fuzz-secret", parts.date);
      for (std::string_view part : {parts.region, std::string_view("kinesis"), std::string_view("aws4_request")}) {
        key = protocol::HmacSha256(key, part);
      }
      std::string scope = std::string(parts.date) + "/" + std::string(parts.region) + "/kinesis/aws4_request";
      std::string canonical =
          protocol::CanonicalRequest(signed_request, parts.signed_headers, protocol::Sha256Hex(request.body));
      std::string mac = protocol::HmacSha256(key, protocol::StringToSign("20261125T220000Z", scope, canonical));
      if (protocol::HexEncode(mac) != parts.signature) {
        fuzz::Fail("accepted a signature it did not compute:", std::string(parts.signature));
      }
    } else if (verified.error().http_status >= 500) {
      fuzz::Fail("verifier answered 500:", verified.error().message);
    }
  }

  Send(VerifyingRouter(), request);
  Send(Router(), std::move(request));
  return 0;
}
