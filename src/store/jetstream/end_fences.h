// EndFences: whether an acknowledged append is in its log, i.e. below the
// log's end marker (docs/storage-format.md). A seal publishes the marker and
// then seals the stream, and the leader takes appends in between: those are
// acknowledged above the marker and are not the log's.
//
// An acknowledgement at sequence S is in the log once no marker can lie
// below it. Per log, this node knows a sequence up to which there is no
// marker ("clear"), and sequences known to hold record messages: those of
// every publish acknowledgement it sees. Record messages are published
// through connections whose inboxes are under AckInboxPrefix, and every
// node subscribes to them all on its own publishing connection: the other
// nodes' acknowledgements reach it over the socket its own come by, in the
// order the leader sent them, so the gap below its own is mostly filled
// already (a marker is published elsewhere). A record right after what is
// clear moves it on: there is no sequence left for a marker. One node
// appending alone to a log is so never delayed; an acknowledgement with a
// gap below it waits kGapWaitMs for the acknowledgements that fill it, then
// asks the log's leader for a marker from the clear sequence on (one
// request per log at a time, answering for every acknowledgement that
// arrived before it was sent). A known marker is cached: then the answer is
// immediate.
//
// "No marker" is taken only from a leader whose log reaches the highest
// acknowledgement asked about (LogAdmin::EndMarkerFrom): a leader elected
// since, that has not applied everything below it yet, is asked again.
//
// Thread-safe. `done` callbacks run on cnats or store threads, never under a lock.
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "base/status.h"
#include "store/jetstream/connection.h"
#include "store/jetstream/executor.h"
#include "store/jetstream/log_admin.h"
#include "store/jetstream/nats_ptr.h"
#include "store/store.h"

namespace riffle::store::jetstream {

class EndFences {
 public:
  // `connection` is the one record messages are published through.
  EndFences(Connection* connection, Executor* executor, LogAdmin* admin, const JetStreamOptions& options);

  // Listens to every node's publish acknowledgements.
  Status Start();
  // This node's message was acknowledged at `sequence` of `shard`'s log:
  // `done` gets OK when it is in the log, kSealed when it is above the end
  // marker, kUnavailable when the leader did not answer by `deadline_ms`,
  // or another error (the log is gone).
  void Place(ShardKey shard, uint64_t sequence, int64_t deadline_ms, std::function<void(Status)> done);

 private:
  struct Waiting {
    uint64_t sequence = 0;
    int64_t deadline_ms = 0;
    std::function<void(Status)> done;
  };
  struct Fence {
    uint64_t clear_through = 0;  // no marker up to here
    std::set<uint64_t> records;  // record messages above it (acknowledged)
    std::vector<Waiting> waiting;
    bool checking = false;  // a Check of this log is posted
    // Notes a record message; moves clear_through over the records that
    // follow it without a gap; returns the waiting it now covers.
    std::vector<Waiting> Advance(uint64_t record);
  };

  void Check(ShardKey shard);
  static void OnAcknowledgement(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
  static void Run(std::vector<Waiting>& placed, const Status& status);

  Connection* connection_;
  Executor* executor_;
  LogAdmin* admin_;
  const JetStreamOptions& options_;
  std::mutex mu_;
  std::map<ShardKey, Fence> fences_;  // the logs this node appends to
  NatsPtr<natsSubscription> sub_;     // last: unsubscribed first
};

}  // namespace riffle::store::jetstream
