// The SigV4 checks of the ApiRouter: the Authorization header (its
// Credential scope gives the request's region) and the query-string form
// (X-Amz-Algorithm, X-Amz-Credential, ...), in front of a valid ListStreams.
//
// Input: flag byte, then the Authorization value, then (after the first
// newline, if any) the request target. Flag bit 0: send X-Amz-Date; bit 1:
// send Date. Every answer is a 200 or a 4xx, never a 500.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_service.h"
#include "net/api_router.h"

namespace {

using namespace riffle;

net::ApiRouter& Router() {
  static fuzz::FuzzService* service = fuzz::FuzzService::Open().release();
  static net::ApiRouter* router = new net::ApiRouter(service->streams(), net::RouterOptions{});
  return *router;
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
  request.body = "{}";

  std::mutex mu;
  std::condition_variable cv;
  std::optional<net::HttpResponse> response;
  Router().Handle(std::move(request), [&](net::HttpResponse r) {
    std::lock_guard<std::mutex> lock(mu);
    response.emplace(std::move(r));
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  if (!cv.wait_for(lock, std::chrono::minutes(1), [&] { return response.has_value(); })) {
    fuzz::Fail("no response within a minute");
  }
  if (response->status >= 500) fuzz::Fail("answered 500:", response->body);
  return 0;
}
