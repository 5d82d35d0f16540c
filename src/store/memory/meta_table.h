// MetaTable: a single-process store's metadata as revisioned key/value pairs,
// kept in memory (the RocksDB store and the memory store).
//
// The RocksDB store's `meta` column family holds core's keys and values
// verbatim (no revisions are persisted: a single process is the only writer,
// so revisions only need to be unique within one open store). The table
// keeps every committed pair in memory with a revision, numbered from 1 at
// open in key order; each write gets the next number. Ephemeral keys live
// only here.
//
// Compare-and-set: Reserve() checks a write's expected revision against the
// key's latest revision, counting writes reserved but not yet committed, and
// hands out the new revision; the caller then queues the write (while still
// holding the lock Reserve() requires, so queue order = revision order) and
// calls Commit() or Abandon() when the writer is done. Reads (Get, Scan)
// see committed writes only.
//
// Thread-safe: every method takes the table's mutex (Reserve's caller holds
// it through `lock()` so it can queue the write before another reserves).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store {

class MetaTable {
 public:
  // Loads the committed pairs (key order); revisions 1..N.
  void Load(std::vector<std::pair<std::string, std::string>> pairs);

  std::vector<MetaEntry> Scan(const std::string& prefix) const;
  std::optional<MetaEntry> Get(const std::string& key, bool ephemeral) const;

  std::unique_lock<std::mutex> lock() const { return std::unique_lock(mu_); }

  // Checks `write` against the key's latest revision (reserved writes
  // included) and reserves its new revision. Conflict when the key is not as
  // expected. REQUIRES: lock held (from lock()).
  StatusOr<uint64_t> Reserve(const MetaWrite& write);
  // The reserved write of `revision` was committed: applies it and returns
  // the change to report. Abandon: it failed. Both take the lock themselves.
  MetaChange Commit(const MetaWrite& write, uint64_t revision);
  void Abandon(const std::string& key);

  // A regular write checked and applied at once (a store with nothing to
  // persist): the change to report, or Conflict.
  StatusOr<MetaChange> Apply(const MetaWrite& write);

  // An ephemeral write, applied at once (never persisted): the change to
  // report, or Conflict. `now_ms` for expiry.
  StatusOr<MetaChange> WriteEphemeral(const MetaWrite& write, int64_t now_ms);

 private:
  struct Value {
    std::string value;
    uint64_t revision = 0;
  };
  struct Ephemeral {
    std::string value;
    uint64_t revision = 0;
    int64_t written_ms = 0;
  };
  // Latest revision of a key, reserved writes included; 0 = absent.
  uint64_t LatestRevision(const std::string& key) const;
  // Ends one reservation of `key`. REQUIRES: mu_ held.
  void ReleaseLocked(const std::string& key);
  void DropExpiredEphemeral(int64_t now_ms);

  mutable std::mutex mu_;
  std::map<std::string, Value> committed_;  // guarded by mu_
  // Reserved, uncommitted writes per key: the newest reserved revision and
  // whether it deletes; `count` of them in flight.
  struct Reserved {
    uint64_t revision = 0;
    bool deletes = false;
    int count = 0;
  };
  std::unordered_map<std::string, Reserved> reserved_;  // guarded by mu_
  uint64_t next_revision_ = 1;                            // guarded by mu_
  std::map<std::string, Ephemeral> ephemeral_;            // guarded by mu_
  uint64_t next_ephemeral_revision_ = 1;                  // guarded by mu_
  int64_t next_expiry_check_ms_ = 0;                      // guarded by mu_
};

}  // namespace riffle::store
