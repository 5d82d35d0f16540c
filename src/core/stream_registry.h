// StreamRegistry: this node's copy of the metadata — streams, consumers,
// account settings, subscription leases — kept current from the store's
// change feed and from this node's own writes.
//
// Everything is held as immutable snapshots (shared_ptr<const ...>): a reader
// takes one under a short shared lock and reads it without locks; a change
// replaces the pointer. Each snapshot carries the revision of the metadata
// key it came from; a change older than what is held is ignored, so the feed
// and the node's own writes may arrive in either order. Deleted keys leave a
// tombstone (their delete's revision) until the feed has passed it.
//
// The registry never reads the store; StreamService feeds it and decides
// when it must be fresh (store::Store::SyncMeta). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/hash_key.h"
#include "core/stream_state.h"
#include "store/store.h"

namespace riffle::core {

// One stream as last written, with its routing table.
struct StreamEntry {
  StreamState state;
  uint64_t revision = 0;
  std::vector<uint32_t> open_by_start;  // open shards sorted by range start

  // The open shard whose range holds `key`. REQUIRES: an open shard exists
  // (open ranges cover the whole hash key space).
  uint32_t Route(HashKey key) const;
  bool IsGone(int64_t now) const {
    return state.status == StreamStatus::kDeleting && now >= state.transition_due_ms;
  }
  store::ShardKey Key(uint32_t index) const { return {state.incarnation, index}; }
};
using StreamPtr = std::shared_ptr<const StreamEntry>;
StreamPtr MakeStreamEntry(StreamState state, uint64_t revision);

struct ConsumerEntry {
  ConsumerState state;
  uint64_t revision = 0;
};
using ConsumerPtr = std::shared_ptr<const ConsumerEntry>;

struct AccountEntry {
  AccountSettingsState state;
  uint64_t revision = 0;
};

// A SubscribeToShard lease: who subscribed last to a consumer's shard, when.
struct LeaseEntry {
  int64_t started_ms = 0;
  uint64_t revision = 0;
};

class StreamRegistry {
 public:
  // Told of every stream, consumer or lease key whose snapshot changed
  // (`stream` is the stream's new snapshot, or the one removed, or the
  // consumer's / lease's stream when known). Called outside the registry's
  // lock; must not block.
  using Listener = std::function<void(const std::string& key, const StreamPtr& stream, uint64_t incarnation)>;
  void SetListener(Listener listener) { listener_ = std::move(listener); }

  // Applies one change. `from_feed`: it came from the store's change feed
  // (which delivers each kind of key in revision order), not from a write of
  // this node. Values that do not decode are ignored (and counted).
  void Apply(const store::MetaChange& change, bool from_feed);

  StreamPtr Find(const std::string& stream_key) const;
  StreamPtr FindByIncarnation(uint64_t incarnation) const;
  std::vector<StreamPtr> Streams() const;
  // Consumers of the stream (by its meta key prefix), of its incarnation.
  std::vector<ConsumerPtr> Consumers(const StreamAddress& stream, uint64_t incarnation) const;
  ConsumerPtr FindConsumer(const std::string& consumer_key) const;
  std::optional<AccountEntry> Account(const std::string& key) const;
  std::optional<LeaseEntry> Lease(const std::string& key) const;
  // A global value (e.g. the iterator secret) and its revision.
  std::optional<store::MetaEntry> Global(const std::string& key) const;
  // The global values whose keys start with `prefix` (channels' keys), in key order.
  std::vector<store::MetaEntry> Globals(const std::string& prefix) const;

  // Values that failed to decode (e.g. written by a newer Riffle).
  uint64_t undecodable() const;

 private:
  // Applies under the lock; returns the incarnation touched (0: none) and
  // the stream snapshot to report.
  bool ApplyLocked(const store::MetaChange& change, bool from_feed, StreamPtr* reported, uint64_t* incarnation);
  bool Newer(const std::string& key, uint64_t current_revision, bool exists, uint64_t revision) const;
  void Bury(const std::string& key, uint64_t revision);

  mutable std::shared_mutex mu_;
  std::map<std::string, StreamPtr> streams_;                  // by meta key
  std::unordered_map<uint64_t, StreamPtr> by_incarnation_;
  std::map<std::string, ConsumerPtr> consumers_;              // by meta key
  std::map<std::string, AccountEntry> accounts_;              // by meta key
  std::map<std::string, store::MetaEntry> globals_;           // "global/..." keys
  std::unordered_map<std::string, LeaseEntry> leases_;        // ephemeral keys
  std::unordered_map<std::string, uint64_t> tombstones_;      // deleted key -> delete revision
  std::unordered_map<std::string, uint64_t> lease_tombstones_;
  uint64_t feed_revision_ = 0;  // highest regular revision the feed delivered
  uint64_t undecodable_ = 0;
  Listener listener_;
};

}  // namespace riffle::core
