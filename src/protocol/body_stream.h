// BodyStream: a response body produced over time (SubscribeToShard's event
// stream) instead of all at once. The transport pulls bytes only when it can
// send them (HTTP/2 flow-control window, HTTP/1.1 previous chunk written), so
// a slow reader pauses the producer instead of making the server buffer.
//
// Protocol between the transport and the producer:
//   Start(wake) once, then Pull() whenever the transport can send. A Pull
//   that returns kWait asks to be pulled again after `wake` was called (from
//   any thread, at most once per kWait) or after `retry_after_ms` passed,
//   whichever is first. kEnd is final. Cancel() when the peer went away or
//   the server stops; it may be called at any time, more than once.
// Pull and Start are called from one thread at a time (the connection's
// strand); Cancel and the wake callback are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace riffle::protocol {

class BodyStream {
 public:
  enum class State { kData, kWait, kEnd };
  struct PullResult {
    State state = State::kWait;
    int64_t retry_after_ms = -1;  // kWait: pull again after this long (-1: only when woken)
  };

  virtual ~BodyStream() = default;
  virtual void Start(std::function<void()> wake) = 0;
  // Appends ready bytes to `out` (kData, or the last bytes with kEnd).
  virtual PullResult Pull(std::string& out) = 0;
  virtual void Cancel() = 0;
};

}  // namespace riffle::protocol
