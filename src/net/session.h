// Session: one accepted connection as the server's registry sees it,
// whatever it speaks (HTTP/1.1 in http_connection.h, HTTP/2 in
// http2_session.h) and whatever it runs over (TCP or TLS).
#pragma once

namespace riffle::net::internal {

// Thread-safety: all three may be called from any thread; they only post
// onto the session's strand.
class Session {
 public:
  virtual ~Session() = default;
  // Begins serving.
  virtual void Start() = 0;
  // Graceful stop: no new requests; requests in flight finish and their
  // responses are written, then the connection closes. Calls
  // core->ShutdownDone() once the stop was initiated on the strand.
  virtual void Shutdown() = 0;
  // Closes the socket now (pending responses are dropped).
  virtual void ForceClose() = 0;
};

}  // namespace riffle::net::internal
