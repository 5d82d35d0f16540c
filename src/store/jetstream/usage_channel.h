// UsageChannel: Store::ShareUsage between nodes over core NATS (no
// JetStream, nothing persisted). A node publishes each report on
// `<prefix>.usage` prefixed with its node id; every node subscribes once an
// observer is set and passes on the reports of the other nodes. Lost
// reports only let a limit be exceeded briefly. Thread-safe.
#pragma once

#include <nats/nats.h>

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "store/jetstream/connection.h"
#include "store/jetstream/nats_ptr.h"

namespace riffle::store::jetstream {

class UsageChannel {
 public:
  UsageChannel(Connection* connection, std::string prefix);
  ~UsageChannel();

  void Publish(std::string_view report);
  // Subscribes with an observer, unsubscribes with nullptr (waiting for a
  // running call to return).
  void SetObserver(std::function<void(std::string_view)> observer);

 private:
  static void OnMessage(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);

  Connection* connection_;
  const std::string subject_;
  std::mutex mu_;  // held while the observer runs
  std::function<void(std::string_view)> observer_;
  NatsPtr<natsSubscription> sub_;
};

}  // namespace riffle::store::jetstream
