// Store: the storage interface under Riffle's core.
//
// Three implementations pass one conformance suite (store/conformance/): the
// embedded RocksDB store (store/rocksdb/, one process), the memory store
// (store/memory/, `--in-memory`: one process, nothing persisted) and the
// JetStream store (store/jetstream/, any number of Riffle nodes sharing one
// NATS JetStream cluster). Core knows none of them; everything here holds for
// all, and where a cluster can differ from one process the contract says so.
//
// The store keeps two things:
//
//  - Metadata: opaque key/value pairs whose encoding core owns (streams,
//    consumers, settings). Every key has a revision that changes on every
//    write; writes are compare-and-set on it, so concurrent writers (threads
//    or nodes) never lose an update: exactly one of two writes expecting the
//    same revision succeeds. One key is the unit of atomicity; nothing spans
//    keys. Every change, whoever made it, reaches the metadata observer.
//
//  - Record logs: one per shard, addressed by ShardKey. The log assigns each
//    appended record a counter (strictly increasing within the log, never
//    reused; not necessarily contiguous), so no two writers of a shard need
//    to coordinate. A sealed log refuses appends; its end counter is final.
//
// Threading: every method is thread-safe. Methods taking a callback never
// block the caller on I/O; the callback runs exactly once, on a store thread
// or inline, and must not block. Methods returning a value may block on I/O
// (core calls them from its control threads, never from I/O threads).
//
// Durability: a callback or return reporting success means the change is
// durable as the implementation promises (RocksDB: synced per the sync policy;
// JetStream: applied by a quorum of replicas). Formats: docs/storage-format.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_arena.h"
#include "base/latency_histogram.h"
#include "base/status.h"

namespace riffle::store {

// ---------------------------------------------------------------------------
// Metadata

// A key's value and revision. Revisions are > 0, and a key's revision grows
// with every write of it (in one store, revisions of all keys come from one
// increasing sequence, except ephemeral keys, which have their own).
struct MetaEntry {
  std::string key;
  std::string value;
  uint64_t revision = 0;
};

// What a write expects of its key.
inline constexpr uint64_t kMustNotExist = 0;       // the key must be absent
inline constexpr uint64_t kAnyRevision = UINT64_MAX;  // unconditional

// Keys are at most 1024 bytes of any content; values at most kMaxMetaValueBytes.
inline constexpr size_t kMaxMetaValueBytes = 512 * 1024;

struct MetaWrite {
  std::string key;
  std::optional<std::string> value;  // nullopt: delete the key
  // kMustNotExist, kAnyRevision, or the revision the key must have now.
  // Deleting an absent key with kAnyRevision succeeds.
  uint64_t expected_revision = kAnyRevision;
  // An ephemeral key (subscription leases) lives at least kEphemeralTtlMs
  // after its last write and may vanish after that, or when a single-node
  // store restarts. It is never returned by ScanMeta/GetMeta of a regular
  // key and vice versa: the two are separate namespaces sharing key syntax.
  bool ephemeral = false;
};
inline constexpr int64_t kEphemeralTtlMs = 15 * 60 * 1000;

// One change of a key, as the observer sees it.
struct MetaChange {
  std::string key;
  std::optional<std::string> value;  // nullopt: the key was deleted (or expired)
  uint64_t revision = 0;             // of the write (for a deletion: the delete's own revision)
  bool ephemeral = false;
};

// ---------------------------------------------------------------------------
// Record logs

// Identifies one shard's record log. `incarnation` is unique per stream
// creation and never reused; `shard_index` is the N in shardId-00000000000N.
struct ShardKey {
  uint64_t incarnation = 0;
  uint32_t shard_index = 0;
  friend bool operator==(const ShardKey&, const ShardKey&) = default;
  friend bool operator<(const ShardKey& a, const ShardKey& b) {
    return a.incarnation != b.incarnation ? a.incarnation < b.incarnation : a.shard_index < b.shard_index;
  }
};

struct LogOptions {
  // Every counter the log assigns is >= first_counter (core makes a child
  // shard's counters start after its parents' end).
  uint64_t first_counter = 1;
  // Records older than this (by arrival) may be dropped by the store on its
  // own; 0 = only TrimBefore drops records.
  int64_t retention_ms = 0;
};

// One record returned by a read. partition_key and data view bytes held by
// the RecordsRead the record came in.
struct Record {
  uint64_t counter = 0;      // strictly increasing within the log
  int64_t arrival_ms = 0;    // as given to Append (see AppendResult)
  std::string_view partition_key;
  std::string_view data;
};

// Records of one shard in counter order, and the bytes they view.
struct RecordsRead {
  std::vector<Record> records;
  ByteArena bytes;

  // Appends a record whose bytes are copied into `bytes`.
  void Add(uint64_t counter, int64_t arrival_ms, std::string_view partition_key, std::string_view data) {
    records.push_back({counter, arrival_ms, bytes.Copy(partition_key), bytes.Copy(data)});
  }
  // Appends a record that views bytes kept alive by `bytes` (ByteArena::Keep).
  void AddView(uint64_t counter, int64_t arrival_ms, std::string_view partition_key, std::string_view data) {
    records.push_back({counter, arrival_ms, partition_key, data});
  }
  size_t size() const { return records.size(); }
  bool empty() const { return records.empty(); }
  const Record& operator[](size_t i) const { return records[i]; }
  const Record& front() const { return records.front(); }
  const Record& back() const { return records.back(); }
  auto begin() const { return records.begin(); }
  auto end() const { return records.end(); }
};

struct AppendEntry {
  std::string partition_key;
  std::string data;
};

// Records appended to one shard by one request, in order. The entries get
// increasing counters in entry order; counters of one batch are not
// necessarily consecutive with another's.
struct AppendBatch {
  using Entry = AppendEntry;
  ShardKey shard;
  int64_t arrival_ms = 0;  // the arrival time to store (see AppendResult)
  std::vector<AppendEntry> entries;  // at least one
};

// What happened to one AppendBatch.
struct AppendResult {
  // counters[i]: the counter of entries[i], or 0 when it was not stored
  // (`error` says why). The RocksDB store stores a batch whole or not at
  // all; the JetStream store may store some of its messages and not others
  // when the batch needed several.
  std::vector<uint64_t> counters;
  // The arrival time stored with the records: the requested one, raised by
  // the RocksDB store so that arrival times never go backwards in a log.
  int64_t arrival_ms = 0;
  // OK when every entry was stored. Errc::kSealed: the log is sealed (nothing
  // of the batch was stored); Errc::kResourceNotFound: no such log;
  // Errc::kUnavailable: the store cannot take writes now (a cluster without
  // quorum); Errc::kStorageError otherwise.
  Status error;
  // With kSealed or kResourceNotFound: the entries that were not stored
  // (counter 0), in order, handed back so the caller can route them
  // elsewhere without a copy. Empty otherwise.
  std::vector<AppendEntry> returned;
};

struct ReadLimits {
  uint64_t max_records = 10000;
  uint64_t max_bytes = 10 * 1024 * 1024;  // sum of data + partition key sizes
};

struct LogRead {
  RecordsRead records;  // counter >= from, in counter order, within the limits
  // Where the next read continues: one past the last record returned, or,
  // when this read reached the log's end, the log's end (so a reader of a
  // sealed log knows it is done once next >= the sealed end).
  uint64_t next = 0;
  // No record at or after `next` existed when the log was read.
  bool at_end = true;
};

struct LogBounds {
  uint64_t first = 0;  // the lowest counter still readable (== end when the log is empty)
  uint64_t end = 0;    // one past the highest counter appended (first_counter when nothing was)
  bool sealed = false;
};

// A log that exists in the store (for collecting logs of deleted streams).
struct LogInfo {
  ShardKey shard;
  int64_t created_ms = 0;
};

enum class SyncPolicy {
  kAlways,    // a mutation is synced before `done` runs (default)
  kInterval,  // `done` runs once written to the OS; synced within sync_interval_ms
  kNever,     // written to the OS, never explicitly synced (only on Close())
};

struct Options {
  std::string path;          // data directory; ignored when in_memory
  bool in_memory = false;    // the RocksDB store over an in-memory Env (tests; `--in-memory` is store/memory)
  SyncPolicy sync = SyncPolicy::kAlways;
  int64_t sync_interval_ms = 1000;  // kInterval only; > 0
};

class Store {
 public:
  virtual ~Store() = default;

  // --- metadata ---

  // Every (regular) key starting with `prefix`, with its latest committed
  // value, in key byte order.
  virtual StatusOr<std::vector<MetaEntry>> ScanMeta(const std::string& prefix) = 0;
  // The latest committed value of a key (linearizable: reflects every write
  // that completed before the call, made through any node).
  virtual StatusOr<std::optional<MetaEntry>> GetMeta(const std::string& key, bool ephemeral = false) = 0;
  // Applies `write` if the key's revision is the expected one. `done` gets
  // the new revision (for a delete: the delete's revision), or
  // Errc::kConflict when the key was not as expected, or another error
  // (Errc::kUnavailable: no quorum).
  virtual void WriteMeta(MetaWrite write, std::function<void(StatusOr<uint64_t>)> done) = 0;
  // Sets the observer of metadata changes: every committed write, made
  // through this store object or (cluster) any other node, is reported once,
  // in revision order per key (a write through this object may be reported
  // before or after its own `done` runs). Writes before ScanMeta may be
  // reported again; callers compare revisions. Set once, before the first
  // write. The observer must not block and must not call back into the store.
  virtual void SetMetaObserver(std::function<void(const MetaChange&)> observer) = 0;
  // Returns once the observer has been given every change committed before
  // this call (a read barrier for caches fed by the observer). Blocks.
  virtual Status SyncMeta() = 0;

  // --- record logs ---

  // Makes sure the log exists; if it is new or empty and has never assigned
  // a counter, its counters will be >= options.first_counter. Idempotent;
  // may change the retention of an existing log. Blocks.
  virtual Status CreateLog(ShardKey shard, const LogOptions& options) = 0;
  // Seals the log: every append that completes afterwards fails with
  // Errc::kSealed. Returns the end: one past the highest counter of any
  // record appended (first_counter if none). Idempotent (the same end).
  // Blocks.
  virtual StatusOr<uint64_t> SealLog(ShardKey shard) = 0;
  // Deletes the log and all its records. Idempotent. Blocks.
  virtual Status DropLog(ShardKey shard) = 0;
  // Every log in the store. Blocks.
  virtual StatusOr<std::vector<LogInfo>> ListLogs() = 0;

  // Appends each batch to its log. `done` gets one result per batch, in
  // order, once every batch is stored (durable) or failed. Records of a
  // batch are readable by everyone once `done` reported them stored; a
  // reader never sees a hole: a record is readable only after every record
  // with a lower counter in its log is, or never will be.
  virtual void Append(std::vector<AppendBatch> batches, std::function<void(std::vector<AppendResult>)> done) = 0;

  // Records of `shard` with counter >= from, in order, within `limits` (at
  // least one record if any is readable). Errc::kResourceNotFound: no such log.
  virtual void Read(ShardKey shard, uint64_t from, ReadLimits limits,
                    std::function<void(StatusOr<LogRead>)> done) = 0;
  virtual void Bounds(ShardKey shard, std::function<void(StatusOr<LogBounds>)> done) = 0;
  // The lowest counter of a readable record whose arrival is >= ms, or the
  // log's end when there is none.
  virtual void FindByArrival(ShardKey shard, int64_t ms, std::function<void(StatusOr<uint64_t>)> done) = 0;

  // Drops records that arrived before cutoff_ms (retention): afterwards no
  // read returns them. Returns the log's new first readable counter.
  // Idempotent. Blocks.
  virtual StatusOr<uint64_t> TrimBefore(ShardKey shard, int64_t cutoff_ms) = 0;

  // Sets the observer told that records may have become readable in a
  // shard: after every successful Append through this object, and (cluster)
  // after appends through other nodes to shards this node watches. Set once.
  // Must not block.
  virtual void SetAppendObserver(std::function<void(ShardKey)> observer) = 0;
  // Declares (watch true) or withdraws interest in appends made elsewhere
  // to `shard`; calls are counted, so every Watch(true) needs one
  // Watch(false). A no-op in a single-node store.
  virtual void WatchAppends(ShardKey shard, bool watch) = 0;

  // --- between the nodes sharing a store (cluster stores) ---

  // True when other nodes may write this store at the same time (a cluster
  // store). Callers then serialize, through metadata compare-and-set, what
  // one node serializes with a mutex.
  virtual bool Shared() const { return false; }
  // Sends `report` to every other node sharing the store: best effort (a
  // report may be lost or arrive late), not persisted, never back to this
  // node. A single-node store drops it. Must not block.
  virtual void ShareUsage(std::string report) { (void)report; }
  // Sets (or, with nullptr, clears) the receiver of other nodes' reports;
  // it runs on store threads and must not block. Clearing waits for a
  // running call to return.
  virtual void SetUsageObserver(std::function<void(std::string_view report)> observer) { (void)observer; }

  // The largest partition key + data of one record the store can take.
  virtual uint64_t MaxRecordBytes() const = 0;

  // OK when the store can take writes now (health checks). Blocks briefly.
  virtual Status Ready() = 0;

  // How the store's writes went since it opened, for /metrics; nullopt from
  // a store that does not measure them.
  struct WriteStats {
    LatencyHistogram::Snapshot writes;  // each write of a group of appends and metadata changes
    LatencyHistogram::Snapshot syncs;   // each sync that made writes durable (within a write or apart)
    uint64_t stalls = 0;                // writes that had to wait for the store to accept writes again
    uint64_t stall_us = 0;              // the time they waited
    uint64_t failed_writes = 0;         // writes that failed (disk full or failing)
  };
  virtual std::optional<WriteStats> Stats() const { return std::nullopt; }

  // The approximate bytes each log of `shards` takes on disk (0 for a log
  // that does not exist), in order; empty from a store that cannot tell
  // cheaply. Blocks briefly.
  virtual std::vector<uint64_t> ApproximateLogBytes(std::span<const ShardKey> shards) {
    (void)shards;
    return {};
  }

  // Writes a consistent copy of the store into `dir` (which must not exist
  // yet) while the store keeps serving: every write acknowledged before the
  // call is in it, and it opens as a store of its own (a backup). Stores that
  // cannot make one answer Errc::kValidation.
  virtual Status Checkpoint(const std::string& dir) {
    (void)dir;
    return Status::Validation("this store cannot make backups");
  }

  // Stops accepting work, completes every queued append and write, syncs,
  // closes. Idempotent. Called before destruction. Calls after Close()
  // fail with Errc::kStorageError ("store is closed").
  virtual void Close() = 0;
};

// Opens (creating if needed) a RocksDB-backed store.
StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const Options& options);

}  // namespace riffle::store
