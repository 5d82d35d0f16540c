// The HTTP/1.1 request path of a running server: raw bytes on a fresh
// connection to the real HttpServer (Beast parser, limits, keep-alive and
// pipelining) and ApiRouter over an in-memory service. An input that opens
// with the HTTP/2 preface is left to http2_fuzzer. A response that is
// answered must never be a 500 (InternalFailure).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_service.h"
#include "loopback_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.starts_with("PRI ")) return 0;
  std::string response = riffle::fuzz::LoopbackServer::Get().Exchange(bytes);
  for (size_t at = response.find("HTTP/1.1 500"); at != std::string::npos; at = response.find("HTTP/1.1 500", at + 1)) {
    if (at == 0 || response[at - 1] == '\n') riffle::fuzz::Fail("HTTP/1.1 500 response:", response);
  }
  return 0;
}
