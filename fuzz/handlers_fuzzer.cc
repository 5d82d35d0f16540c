// The full handler path on an in-memory server: decode -> validate -> core ->
// encode, through the handlers table.
//
// Input: one or more requests separated by NUL bytes; each is
// "<Operation> <JSON body>", or else its first byte picks the operation
// (index into AllHandlers(), modulo its size) and the rest is the body. "@ITER@" in a body becomes a valid shard iterator of
// stream "fuzz". Every request must get exactly one reply, never a 500.
// The service is replaced every 1024 inputs so that its state stays small
// (opening a store costs far more than a request).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_service.h"
#include "handlers/handlers.h"

namespace {

using riffle::fuzz::FuzzService;

std::unique_ptr<FuzzService>& Service() {
  static auto* service = new std::unique_ptr<FuzzService>();
  return *service;
}

void RunOne(FuzzService& service, std::string_view request) {
  if (request.empty()) return;
  // "<Operation> <body>", or else a first byte that indexes the table.
  size_t space = request.find(' ');
  const riffle::handlers::Handler* found =
      space == std::string_view::npos ? nullptr : riffle::handlers::FindHandler(request.substr(0, space));
  std::string body(found ? request.substr(space + 1) : request.substr(1));
  if (found == nullptr) {
    auto all = riffle::handlers::AllHandlers();
    found = &all[static_cast<uint8_t>(request[0]) % all.size()];
  }
  const riffle::handlers::Handler& handler = *found;
  for (size_t at = body.find("@ITER@"); at != std::string::npos; at = body.find("@ITER@", at)) {
    body.replace(at, 6, service.iterator());
    at += service.iterator().size();
  }
  auto result = service.Call(handler, body);
  if (!result.ok()) {
    const auto& error = result.error();
    if (error.http_status >= 500 || error.type.empty()) {
      riffle::fuzz::Fail(std::string(handler.operation) + " answered " + error.type + ":", error.message);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int runs = 0;
  auto& service = Service();
  if (!service || ++runs % 1024 == 0) {
    service.reset();
    service = FuzzService::Open();
  }
  std::string_view input(reinterpret_cast<const char*>(data), size);
  int requests = 0;
  while (!input.empty() && requests++ < 16) {
    size_t end = input.find('\0');
    RunOne(*service, input.substr(0, end));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return 0;
}
