// ShardSubscription: one SubscribeToShard subscription (enhanced fan-out),
// read over its own HTTP/2 connection as AWS's event stream.
//
// Pull (Client::SubscribeToShard(request)):
//   auto sub = client->SubscribeToShard({.ConsumerARN = arn, .ShardId = "shardId-000000000000",
//                                        .StartingPosition = kinesis::StartingPosition{.Type = "LATEST"}});
//   while (true) {
//     auto event = (*sub)->Next();              // blocks for the next event
//     if (!event.ok()) { ... event.error() ... break; }   // e.g. ResourceInUseException
//     if (!*event) break;                        // ended: its 5 minutes are up, or the shard's end
//     for (const kinesis::Record& r : *(*event)->Records) ...
//   }
// At most a few events wait unread: while they wait, the connection is not
// read, so a slow reader holds the sender back (flow control) instead of
// growing memory.
//
// Push (Client::SubscribeToShard(request, handlers)): on_event runs for each
// event on a client I/O thread, in order (the next waits until it returns),
// then on_end once. Both forms return once the service accepted the
// subscription (its initial-response) or refused it.
//
// After the subscription ends, subscribe again (from the last event's
// ContinuationSequenceNumber, AFTER_SEQUENCE_NUMBER) to go on; an event
// with ChildShards was the shard's last. Close() is thread-safe. The
// destructor closes and waits until no handler runs any more. REQUIRES: not
// destroyed inside its own handlers.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "riffle/kinesis/error.h"
#include "riffle/kinesis/export.h"
#include "riffle/kinesis/model.h"

namespace riffle::kinesis {

namespace internal {
class H2Subscription;
}  // namespace internal

struct SubscriptionHandlers {
  std::function<void(SubscribeToShardEvent event)> on_event;
  // Last: ok when the service ended the subscription; else why it ended (an
  // exception event such as ResourceInUseException, a transport failure, or
  // kCancelled after Close()).
  std::function<void(Result<Empty> end)> on_end;
};

class RIFFLE_KINESIS_EXPORT ShardSubscription {
 public:
  ~ShardSubscription();
  ShardSubscription(const ShardSubscription&) = delete;
  ShardSubscription& operator=(const ShardSubscription&) = delete;

  // Pull form only: the next event; nullopt once the service ended the
  // subscription normally; an Error when it ended otherwise (kCancelled
  // after Close()). Thread-compatible: one reader at a time.
  Result<std::optional<SubscribeToShardEvent>> Next();
  // Ends the subscription now. Thread-safe.
  void Close();

 private:
  friend class Client;
  explicit ShardSubscription(std::shared_ptr<internal::H2Subscription> impl);
  std::shared_ptr<internal::H2Subscription> impl_;
};

}  // namespace riffle::kinesis
