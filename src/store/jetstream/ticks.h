// Ticks: append notifications between nodes over core NATS (not
// persisted). After each record message it stored a node publishes its node
// id on the shard's tick subject (appends that shared a message share one
// tick); a node watching the shard (WatchAppends, counted) subscribes
// to it and tells the append observer. A node ignores its own ticks (its
// appends call the observer directly). Lost ticks only delay readers, which
// also poll. Thread-safe; the observer runs on cnats threads.
#pragma once

#include <nats/nats.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "store/jetstream/connection.h"
#include "store/jetstream/nats_ptr.h"
#include "store/store.h"

namespace riffle::store::jetstream {

class Ticks {
 public:
  Ticks(Connection* connection, std::string prefix);
  ~Ticks();

  void SetObserver(std::function<void(ShardKey)> observer);
  void Publish(ShardKey shard);
  void Watch(ShardKey shard, bool watch);

 private:
  static void OnMessage(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);

  Connection* connection_;
  const std::string prefix_;
  std::function<void(ShardKey)> observer_;
  std::mutex mu_;
  struct Watched {
    int count = 0;
    NatsPtr<natsSubscription> sub;
  };
  std::map<ShardKey, Watched> watched_;
};

}  // namespace riffle::store::jetstream
