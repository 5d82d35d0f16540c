#include "store/jetstream/nats_status.h"

#include <chrono>
#include <string>
#include <thread>

namespace riffle::store::jetstream {

Status FromNats(natsStatus s, jsErrCode code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += natsStatus_GetText(s);
  // The server's own words, when the failure came from it (thread-local).
  if (const char* detail = nats_GetLastError(nullptr); detail != nullptr && *detail != '\0') {
    message += std::string(" (") + detail + ")";
  }
  if (code != 0) message += " (JetStream error " + std::to_string(static_cast<int>(code)) + ")";
  switch (static_cast<int>(code)) {
    case JSStreamSealedErr:
      return Status::Sealed(message);
    case JSStreamNotFoundErr:
      return Status::NotFound(message);
    case JSStreamWrongLastSequenceErr:
      return Status::Conflict(message);
    case JSClusterNotAvailErr:
    case JSClusterNoPeersErr:  // a server restarting or not yet known to the meta group: transient
    case JSNotEnabledErr:  // cnats reports "no responders" to JetStream requests with this code
      return Status::Unavailable(message);
    default:
      break;
  }
  if (OutcomeUnknown(s, code) || NoResponders(s, code) || s == NATS_NO_SERVER || s == NATS_STALE_CONNECTION ||
      s == NATS_SLOW_CONSUMER || s == NATS_ILLEGAL_STATE) {
    return Status::Unavailable(message);
  }
  return Status::StorageError(message);
}

bool OutcomeUnknown(natsStatus s, jsErrCode) {
  return s == NATS_TIMEOUT || s == NATS_CONNECTION_CLOSED || s == NATS_CONNECTION_DISCONNECTED ||
         s == NATS_IO_ERROR;
}

bool NoResponders(natsStatus s, jsErrCode code) {
  return s == NATS_NO_RESPONDERS || static_cast<int>(code) == JSNotEnabledErr;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status RetryUnavailable(int64_t budget_ms, const std::function<Status()>& attempt) {
  const int64_t deadline = NowMs() + budget_ms;
  int64_t pause_ms = 50;
  while (true) {
    Status s = attempt();
    if (s.code() != Errc::kUnavailable || NowMs() + pause_ms > deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min<int64_t>(pause_ms * 2, 500);
  }
}

}  // namespace riffle::store::jetstream
