// MetaStore: core's metadata in two NATS KV buckets, regular and ephemeral
// keys (docs/storage-format.md, "Metadata: two key/value buckets").
//
// Writes are JetStream publishes to the key's subject, retried with the same
// message id through elections; a key's revision is its message's stream
// sequence. A compare-and-set write reads the bucket stream's last sequence,
// then the key's last message, and publishes expecting both
// (Nats-Expected-Last-Sequence, Nats-Expected-Last-Subject-Sequence): in a
// replicated stream nats-server 2.9 checks the per-subject expectation
// against applied state only, so two racing writers could both pass it; the
// stream-wide one fences them (a write of another key in between makes the
// writer read and try again).
// Get reads the key's last message from the bucket stream's leader
// (linearizable); Scan reads every key through an ordered consumer. All
// calls block. Thread-safe.
#pragma once

#include <nats/nats.h>

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/jetstream/connection.h"
#include "store/jetstream/nats_ptr.h"
#include "store/store.h"

namespace riffle::store::jetstream {

class MetaStore {
 public:
  MetaStore(Connection* connection, const JetStreamOptions& options);

  // Binds both buckets, creating those that do not exist.
  Status Open();
  StatusOr<std::vector<MetaEntry>> Scan(const std::string& prefix);
  StatusOr<std::optional<MetaEntry>> Get(const std::string& key, bool ephemeral);
  StatusOr<uint64_t> Write(const MetaWrite& write);
  // The bucket stream's state from its leader: its last sequence, or
  // nullopt when it holds no message; `*first` its first sequence and
  // `*last_seq` its last sequence even when it holds none.
  StatusOr<std::optional<uint64_t>> LastRevision(bool ephemeral, uint64_t* first, uint64_t* last_seq = nullptr);

  kvStore* bucket(bool ephemeral) const { return (ephemeral ? lease_ : meta_).get(); }

 private:
  // One publish attempt series (same message id) expecting `expected`
  // (nullopt: unconditional).
  StatusOr<uint64_t> Publish(const MetaWrite& write, std::optional<uint64_t> expected,
                             std::optional<uint64_t> stream_last);
  // The key's last message: revision and whether it is a deletion marker.
  struct Last {
    uint64_t revision = 0;
    bool deleted = false;
    std::string value;
  };
  StatusOr<std::optional<Last>> GetLast(const std::string& key, bool ephemeral);

  Connection* connection_;
  const JetStreamOptions& options_;
  NatsPtr<kvStore> meta_;
  NatsPtr<kvStore> lease_;
};

}  // namespace riffle::store::jetstream
