#include "loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "fuzz_service.h"
#include "net/api_router.h"
#include "net/http_server.h"

namespace riffle::fuzz {

LoopbackServer& LoopbackServer::Get() {
  // Never destroyed: the harness process ends with libFuzzer's exit.
  static LoopbackServer* server = new LoopbackServer();
  return *server;
}

LoopbackServer::LoopbackServer() {
  static FuzzService* service = FuzzService::Open().release();
  static net::ApiRouter* router = new net::ApiRouter(service->streams(), net::RouterOptions{});
  net::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  options.idle_timeout_seconds = 30;
  static net::HttpServer* server = new net::HttpServer(options, *router);
  Status started = server->Start();
  if (!started.ok()) Fail("cannot start the server:", started.message());
  port_ = server->port();
}

std::string LoopbackServer::Exchange(std::string_view bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) Fail("socket() failed");
  timeval timeout{60, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Fail("connect() failed");
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) Fail("the server stopped reading for a minute");
    if (n <= 0) break;  // the server closed early (e.g. after an error response)
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string received;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) Fail("the server did not close within a minute");
    if (n <= 0) break;  // closed (or reset)
    received.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return received;
}

}  // namespace riffle::fuzz
