// Appender: the write path of record logs. Each append batch becomes one
// JetStream message (or a few consecutive ones when it is larger than a
// message), published asynchronously so that many appends are in flight and
// the caller never waits.
//
// Appends to one log through this node share messages when they queue: at
// most kLaneDepth single-message appends per log are in flight, and the
// appends that arrive meanwhile leave together, as one message, when one of
// those is answered (group commit: many concurrent PutRecord calls to one
// shard cost one quorum write, not one each). An append that needs several
// messages (a large PutRecords) is published on its own, chunk after chunk.
//
// Every message carries a Nats-Msg-Id that its retries reuse: through
// acknowledgement timeouts, leader elections ("no responders") and
// reconnections a message is retried for up to the retry budget, and the
// stream's duplicate window stores it at most once. A retry refused because
// the log was sealed meanwhile is looked up in the sealed log's tail, so a
// stored message is never reported unstored. When the budget runs out the
// batch fails with kUnavailable (its outcome is then unknown to the store).
//
// A sealed log ends at its end marker (docs/storage-format.md): the leader
// may still take appends after the marker, until the seal reaches it, and
// those are not in the log. An acknowledged message is reported stored once
// EndFences places it below any marker; above it, it is reported sealed and
// its records go back to the caller to be routed to the log's successors.
//
// Thread-safe. Results are delivered on cnats or store threads.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/jetstream/connection.h"
#include "store/jetstream/end_fences.h"
#include "store/jetstream/executor.h"
#include "store/jetstream/log_admin.h"
#include "store/jetstream/record_message.h"
#include "store/store.h"

namespace riffle::store::jetstream {

class Appender {
 public:
  // `on_stored` is called after `done` for every batch of which a record was
  // stored; `on_message_stored` once per stored message, after the `done` of
  // the appends it completed (appends that shared a message share one call:
  // the notification other nodes get, ticks.h, costs one core-NATS message).
  // Record messages are published through `publisher` (end_fences.h), whose
  // acknowledgements go to OnAck; lookups go through `connection`.
  Appender(Connection* connection, Connection* publisher, Executor* executor, LogAdmin* admin, EndFences* fences,
           const JetStreamOptions& options, std::function<void(ShardKey)> on_stored,
           std::function<void(ShardKey)> on_message_stored);

  void Append(std::vector<AppendBatch> batches, std::function<void(std::vector<AppendResult>)> done);
  // The connection's asynchronous publish result handler.
  void OnAck(natsMsg* msg, jsPubAck* ack, jsPubAckErr* error);
  // Waits until every Append called so far has called its `done`.
  void Drain();

 private:
  struct Group {
    std::vector<AppendBatch> batches;
    std::vector<AppendResult> results;
    std::function<void(std::vector<AppendResult>)> done;
    std::atomic<size_t> remaining{0};
  };
  struct Work {  // one batch of a group; its chunks are published one after another
    std::shared_ptr<Group> group;
    size_t index = 0;
    std::string subject;
    std::vector<Chunk> chunks;
    uint64_t offset = 0;  // the log's (names.h, OffsetFor)
    int64_t started_ms = 0;  // when it first asked to be published
    size_t bytes = 0;        // encoded entry bytes, when it has one chunk
  };
  struct Part {  // a chunk of a work in a message
    std::shared_ptr<Work> work;
    size_t chunk = 0;
    uint32_t first = 0;  // the message's index of its first record
  };
  struct Message {  // one message until it is stored or given up
    std::vector<Part> parts;
    ShardKey shard;
    bool laned = false;  // holds one of its log's kLaneDepth places
    int64_t arrival_ms = 0;
    std::string payload;
    std::string msg_id;
    int64_t first_sent_ms = 0;
    int64_t deadline_ms = 0;
    bool outcome_unknown = false;  // an earlier attempt may have been stored
  };
  struct Lane {  // the single-message appends of one log
    size_t in_flight = 0;
    std::vector<std::shared_ptr<Work>> waiting;
  };
  AppendBatch& BatchOf(const Work& work) { return work.group->batches[work.index]; }
  void StartChunk(const std::shared_ptr<Work>& work, size_t chunk);
  // Publishes `parts` (consecutive in the log) as one message.
  void Publish(std::vector<Part> parts, bool laned);
  // Gives a laned message's place to the appends waiting on its log, if any.
  void ReleaseLane(const Message& m);
  void Send(const std::shared_ptr<Message>& m);
  // The log's leader acknowledged `m` at `sequence`: stored, unless above
  // the log's end marker (then sealed; end_fences.h); frees its lane place.
  void Acknowledged(const std::shared_ptr<Message>& m, uint64_t sequence);
  void Stored(const std::shared_ptr<Message>& m, uint64_t sequence);
  void Failed(const std::shared_ptr<Message>& m, natsStatus s, jsErrCode code);
  void RetryLater(const std::shared_ptr<Message>& m, int64_t delay_ms, const Status& why);
  void CheckLogThenRetry(const std::shared_ptr<Message>& m, const Status& why);
  void ResolveSealed(const std::shared_ptr<Message>& m);
  // Ends every part of `m` with `status` (and frees its lane place).
  void FinishMessage(const std::shared_ptr<Message>& m, const Status& status);
  void Finish(const std::shared_ptr<Work>& work, Status status);

  Connection* connection_;
  Connection* publisher_;
  Executor* executor_;
  LogAdmin* admin_;
  EndFences* fences_;
  const JetStreamOptions& options_;
  std::function<void(ShardKey)> on_stored_;
  std::function<void(ShardKey)> on_message_stored_;
  int64_t max_payload_;
  uint64_t max_value_;  // entry bytes of one message, at most

  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::unordered_map<std::string, std::shared_ptr<Message>> in_flight_;  // by msg id
  std::map<ShardKey, Lane> lanes_;
  size_t active_groups_ = 0;
};

}  // namespace riffle::store::jetstream
