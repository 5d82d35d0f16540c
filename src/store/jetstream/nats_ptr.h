// Owning pointers for cnats objects. Thread-compatible.
#pragma once

#include <nats/nats.h>

#include <memory>

namespace riffle::store::jetstream {

struct NatsDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
  void operator()(jsStreamInfo* si) const { jsStreamInfo_Destroy(si); }
  void operator()(natsSubscription* sub) const {
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
  }
  void operator()(kvStore* kv) const { kvStore_Destroy(kv); }
  void operator()(kvEntry* e) const { kvEntry_Destroy(e); }
  void operator()(kvWatcher* w) const {
    kvWatcher_Stop(w);
    kvWatcher_Destroy(w);
  }
  void operator()(jsMsgMetaData* m) const { jsMsgMetaData_Destroy(m); }
  void operator()(jsPubAck* a) const { jsPubAck_Destroy(a); }
};

template <typename T>
using NatsPtr = std::unique_ptr<T, NatsDeleter>;

}  // namespace riffle::store::jetstream
