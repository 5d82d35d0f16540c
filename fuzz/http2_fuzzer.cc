// The HTTP/2 (h2c) session of a running server: the connection preface
// followed by the fuzzed bytes (frames) on a fresh connection to the real
// HttpServer, whose Http2Session feeds them to nghttp2 and hands complete
// requests to the ApiRouter over an in-memory service. The server must
// neither crash nor hang, whatever the frames.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "loopback_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  std::string bytes(kPreface);
  bytes.append(reinterpret_cast<const char*>(data), size);
  (void)riffle::fuzz::LoopbackServer::Get().Exchange(bytes);
  return 0;
}
