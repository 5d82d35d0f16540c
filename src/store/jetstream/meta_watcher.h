// MetaWatcher: the feed of metadata changes made through any node. One
// thread per bucket follows it with a NATS KV watcher (an ordered consumer
// of the bucket's stream) and hands every change to the observer; SyncMeta
// asks the bucket stream's leader for its last sequence and waits until the
// feed has passed it.
//
// A change of a key that this store object is writing is held back until
// that write's `done` ran (BeginWrite/EndWrite bracket it), so the observer
// sees a node's own writes after their callbacks. Ephemeral keys vanish by
// age without a message: the watcher reports them deleted once their TTL
// passed since their last write.
//
// The observer runs on a watcher thread or a store thread, never two at
// once. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/status.h"
#include "store/jetstream/meta_store.h"
#include "store/store.h"

namespace riffle::store::jetstream {

class MetaWatcher {
 public:
  MetaWatcher(MetaStore* meta, const JetStreamOptions& options);
  ~MetaWatcher();

  // Starts following both buckets. Call once.
  Status Start(std::function<void(const MetaChange&)> observer);
  // Blocks until every change committed before the call was observed.
  Status Sync();
  void BeginWrite(bool ephemeral, const std::string& key);
  void EndWrite(bool ephemeral, const std::string& key);
  void Stop();

 private:
  using Key = std::pair<bool, std::string>;
  void Follow(bool ephemeral, kvWatcher* watcher);
  void Deliver(MetaChange change);  // REQUIRES: mu_ held
  void ExpireLeases();

  MetaStore* meta_;
  const JetStreamOptions& options_;
  std::function<void(const MetaChange&)> observer_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable seen_cv_;
  bool started_ = false;
  uint64_t seen_[2] = {0, 0};  // highest revision observed, per bucket (regular, ephemeral)
  std::map<Key, int> writing_;
  std::map<Key, std::vector<MetaChange>> held_;
  std::map<std::string, std::pair<uint64_t, int64_t>> leases_;  // key -> revision, written ms
};

}  // namespace riffle::store::jetstream
