// Maps cnats results to store statuses, and the retry loop every blocking
// JetStream call goes through. Pure functions; thread-safe.
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <functional>
#include <string_view>

#include "base/status.h"

namespace riffle::store::jetstream {

// kSealed (10109), kResourceNotFound (10059 stream not found), kConflict
// (10071 wrong last sequence), kUnavailable for everything a retry may cure
// (timeouts, no responders, disconnections, JetStream temporarily
// unavailable), kStorageError otherwise. `what` prefixes the message.
Status FromNats(natsStatus s, jsErrCode code, std::string_view what);

// True for a publish failure that does not say whether the server stored the
// message (a timeout or a lost connection).
bool OutcomeUnknown(natsStatus s, jsErrCode code);

// True when no server took the request (during a leader election, or when no
// stream listens on the subject).
bool NoResponders(natsStatus s, jsErrCode code);

int64_t NowMs();

// Calls `attempt` until it returns anything but kUnavailable or `budget_ms`
// passed (then returns its last kUnavailable), sleeping 50 ms doubling to
// 500 ms between attempts. Blocks.
Status RetryUnavailable(int64_t budget_ms, const std::function<Status()>& attempt);

}  // namespace riffle::store::jetstream
