// LoopbackServer: a whole Riffle front end for the network harnesses — the
// real HttpServer (HTTP/1.1 and h2c) with the real ApiRouter over a
// FuzzService, listening on 127.0.0.1 on a free port, started once per
// process. Exchange() plays one client connection: it sends the bytes,
// half-closes, and reads until the server closes. The server must close
// within a minute (else: a hang, reported as a finding).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace riffle::fuzz {

class LoopbackServer {
 public:
  // The process-wide server, started on first use.
  static LoopbackServer& Get();

  // Sends `bytes` on a new connection, shuts down the sending side and
  // returns everything the server wrote before it closed.
  std::string Exchange(std::string_view bytes);

 private:
  LoopbackServer();
  uint16_t port_ = 0;
};

}  // namespace riffle::fuzz
