// StreamService: the Kinesis domain — streams, shards, records, iterators,
// lifecycle and resharding — over a Store.
//
// Thread-safe: every method may be called concurrently from any thread.
// Methods that change durable state take a completion callback that runs
// once the change is synced (on the store's writer thread, or at once on
// error); they never block on I/O. Reads are synchronous.
//
// Delayed transitions (CREATING/DELETING/UPDATING for the configured number
// of ms) are applied lazily against the injected Clock: whenever a stream is
// looked at after its transition is due, the transition is applied first.
//
// Error messages are the texts the Kinesis API returns.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "core/clock.h"
#include "core/hash_key.h"
#include "core/shard_iterator.h"
#include "core/stream_state.h"
#include "store/store.h"

namespace riffle::core {

struct ServiceOptions {
  int64_t create_stream_ms = 0;
  int64_t delete_stream_ms = 0;
  int64_t update_stream_ms = 0;
  int64_t shard_limit = 500;  // open shards per account and region
};

// "shardId-000000000007"
std::string ShardIdString(uint32_t index);
// Accepts "shardId-000000000007" and the shorter forms Kinesis accepts
// ("shardId-7", "7"); nullopt when it names no possible shard.
std::optional<uint32_t> ParseShardId(std::string_view shard_id);

struct ShardDescription {
  std::string shard_id;
  std::optional<std::string> parent_shard_id;
  std::optional<std::string> adjacent_parent_shard_id;
  HashKeyRange range;
  std::string starting_sequence_number;
  std::optional<std::string> ending_sequence_number;
};

struct StreamDescription {
  std::string name;
  std::string arn;
  StreamStatus status = StreamStatus::kActive;
  int32_t retention_hours = 24;
  int64_t created_ms = 0;
  std::vector<ShardDescription> shards;
  bool has_more_shards = false;
};

struct StreamSummary {
  std::string name;
  std::string arn;
  StreamStatus status = StreamStatus::kActive;
  int64_t created_ms = 0;
};

struct StreamList {
  std::vector<StreamSummary> streams;
  bool has_more = false;
};

struct PutEntry {
  std::string partition_key;
  std::string data;
  std::optional<HashKey> explicit_hash_key;
};

struct PutResult {
  std::string shard_id;
  std::string sequence_number;
};

enum class IteratorType { kAtSequenceNumber, kAfterSequenceNumber, kTrimHorizon, kLatest, kAtTimestamp };

struct IteratorRequest {
  IteratorType type = IteratorType::kLatest;
  std::optional<std::string> starting_sequence_number;
  std::optional<double> timestamp_seconds;
};

struct RecordOut {
  std::string sequence_number;
  int64_t arrival_ms = 0;
  std::string partition_key;
  std::string data;
};

struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  HashKeyRange range;
};

struct RecordsPage {
  std::vector<RecordOut> records;
  std::optional<std::string> next_shard_iterator;  // absent at the end of a closed shard
  int64_t millis_behind_latest = 0;
  std::vector<ChildShard> child_shards;  // set at the end of a closed shard
};

struct TagList {
  std::vector<std::pair<std::string, std::string>> tags;
  bool has_more = false;
};

class StreamService {
 public:
  using Done = std::function<void(Status)>;

  // Loads every stream from `store`. `store` and `clock` must outlive the
  // service.
  static StatusOr<std::unique_ptr<StreamService>> Open(store::Store& store, const Clock& clock,
                                                       ServiceOptions options);
  ~StreamService();

  // Control plane.
  void CreateStream(const StreamAddress& address, int64_t shard_count, Done done);
  void DeleteStream(const StreamAddress& address, Done done);
  StatusOr<StreamDescription> DescribeStream(const StreamAddress& address, std::optional<int64_t> limit,
                                             const std::optional<std::string>& exclusive_start_shard_id);
  StreamList ListStreams(const std::string& account_id, const std::string& region, std::optional<int64_t> limit,
                         const std::optional<std::string>& exclusive_start_name);
  void SplitShard(const StreamAddress& address, const std::string& shard_to_split,
                  const std::string& new_starting_hash_key, Done done);
  void MergeShards(const StreamAddress& address, const std::string& shard_to_merge,
                   const std::string& adjacent_shard_to_merge, Done done);
  void AddTags(const StreamAddress& address, std::vector<std::pair<std::string, std::string>> tags, Done done);
  StatusOr<TagList> ListTags(const StreamAddress& address, const std::optional<std::string>& exclusive_start_key,
                             std::optional<int64_t> limit);
  void RemoveTags(const StreamAddress& address, std::vector<std::string> keys, Done done);

  // Data plane. `sequence_number_for_ordering`, when given, must be a
  // sequence number this server issued (PutRecord only).
  void PutRecords(const StreamAddress& address, std::vector<PutEntry> entries,
                  const std::optional<std::string>& sequence_number_for_ordering,
                  std::function<void(StatusOr<std::vector<PutResult>>)> done);
  StatusOr<std::string> GetShardIterator(const StreamAddress& address, const std::string& shard_id,
                                         const IteratorRequest& request);
  StatusOr<RecordsPage> GetRecords(const std::string& shard_iterator, std::optional<int64_t> limit);

  // Retention: hides, then deletes (store::Trim), every record older than
  // its stream's retention period as of the clock. TRIM_HORIZON, AT_TIMESTAMP
  // and reads through older iterators start at the trimmed horizon once this
  // ran. Safe to call concurrently with everything else; a RetentionTrimmer
  // (core/retention.h) calls it periodically. Returns the first store error
  // (after trying every shard).
  Status TrimExpired();

 private:
  struct Stream;
  struct ShardRuntime;

  StreamService(store::Store& store, const Clock& clock, ServiceOptions options, std::string secret,
                uint64_t next_incarnation);

  // Finds a live stream (not yet swept). nullptr if absent.
  std::shared_ptr<Stream> Find(const StreamAddress& address) const;
  std::shared_ptr<Stream> FindByIncarnation(uint64_t incarnation) const;
  // Applies a due transition. REQUIRES: stream.mu held.
  void Refresh(Stream& stream, int64_t now, store::Mutation& mutation);
  void ApplyReshard(Stream& stream, int64_t now);
  // Persists `mutation` (if non-empty) then calls done.
  void Commit(store::Mutation mutation, Done done);
  // Open shards of all streams of an account and region.
  int64_t CountOpenShards(const std::string& account_id, const std::string& region);
  Status StreamNotFound(const StreamAddress& address) const;

  store::Store& store_;
  const Clock& clock_;
  const ServiceOptions options_;
  const ShardIteratorCodec iterators_;

  std::mutex control_mu_;  // serialises control-plane changes
  mutable std::shared_mutex registry_mu_;
  std::map<std::string, std::shared_ptr<Stream>> streams_;  // by meta key
  std::unordered_map<uint64_t, std::shared_ptr<Stream>> by_incarnation_;
  uint64_t next_incarnation_;  // guarded by control_mu_
};

}  // namespace riffle::core
