// Reads answered by a log's leader, one message per request (js_GetMsg):
// the check that a replica's read agrees with the leader, and the read when
// it does not.
//
// A pull consumer reads the replica it is placed on. After servers are
// killed and restarted, nats-server 2.9 can leave a replica whose messages
// sit one sequence off its leader's (a retried message id deduplicated on
// one and stored on the other), until the next append makes it resynchronize.
// The leader's numbering is the one appends were acknowledged with, so a
// read through a consumer is checked against it: the last message the read
// used must be, by its Nats-Msg-Id, the leader's message at that sequence.
// A message shifted anywhere before it moves every later one, so one check
// covers the whole read.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "store/jetstream/connection.h"
#include "store/jetstream/log_admin.h"
#include "store/store.h"

namespace riffle::store::jetstream {

// Whether the leader's message at stream sequence `seq` has message id `id`
// ("" for none); false when the leader has no message there.
StatusOr<bool> LeaderAgrees(Connection& connection, const JetStreamOptions& options, ShardKey shard, uint64_t seq,
                            const std::string& id);

// A read of up to `limits` from counter `from`, message by message from the
// leader: slower than a consumer (a round trip per message), used when the
// replicas disagree. The same result a consumer read on the leader gives.
StatusOr<LogRead> ReadFromLeader(Connection& connection, LogAdmin& admin, const JetStreamOptions& options,
                                 ShardKey shard, uint64_t from, const ReadLimits& limits);

// The Nats-Msg-Id of a message, "" when it has none.
std::string MessageIdOf(natsMsg* m);

}  // namespace riffle::store::jetstream
