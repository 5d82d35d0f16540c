// StreamService: the Kinesis domain — streams, shards, records, iterators,
// lifecycle and resharding — over a Store, as one node of possibly many
// sharing that store.
//
// Thread-safe: every method may be called concurrently from any thread.
//
// Two kinds of methods:
//  - Data plane (PutRecords, GetShardIterator, GetRecords, Subscribe,
//    ReadSubscription, RoutePuts): never block; they answer through their
//    callback, which may run inline, on a store thread or on the service's
//    background thread. The caller's callback must not block.
//  - Control plane (everything else): may block the calling thread on the
//    store (a node's reads first catch up with every change committed by any
//    node, and writes are compare-and-set, retried on conflict). Callers run
//    them off I/O threads (the router's control threads). Their callbacks run
//    before they return.
//
// State lives in the store's metadata (one key per stream, consumer, account
// settings; formats in docs/storage-format.md); this node keeps a copy
// (StreamRegistry) fed by the store's change feed. Records live in one store
// log per shard, whose counters the log assigns.
//
// Delayed transitions (CREATING/DELETING/UPDATING for the configured number
// of ms) follow the injected Clock: a stream looked at after its transition
// is due shows the new state; transitions that change shards (a pending
// reshard) or remove data (a deletion) are carried out by whichever node gets
// there first — the background thread at the due time, or any control call
// that finds them due.
//
// Error messages are the texts the Kinesis API returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/clock.h"
#include "core/hash_key.h"
#include "core/shard_iterator.h"
#include "core/shard_notifier.h"
#include "core/stream_state.h"
#include "core/stream_registry.h"
#include "core/background_worker.h"
#include "core/key_locks.h"
#include "core/shard_limit_lock.h"
#include "store/store.h"

namespace riffle::core {

struct ServiceOptions {
  int64_t create_stream_ms = 0;
  int64_t delete_stream_ms = 0;
  int64_t update_stream_ms = 0;
  int64_t shard_limit = 500;  // open shards per account and region
  int64_t subscription_ms = 5 * 60 * 1000;  // how long a SubscribeToShard lasts
  int64_t on_demand_stream_limit = 50;  // ON_DEMAND streams per account and region
};

// CreateStream's settings beyond the name.
struct StreamCreation {
  std::optional<int64_t> shard_count;  // PROVISIONED only (required there)
  StreamMode mode = StreamMode::kProvisioned;
  std::map<std::string, std::string> tags;  // at most 50
  std::optional<int64_t> max_record_size_kib;   // 1024..10240
  std::optional<int64_t> warm_throughput_mibps;  // ON_DEMAND with the billing commitment only
  std::optional<RecordDistribution> distribution;  // AUTO: ON_DEMAND only
};

// "shardId-000000000007"
std::string ShardIdString(uint32_t index);
// The shard id a sequence number's 32-bit shard field names in Kinesis's
// errors: the field is signed there ("shardId--02147483648" for 0x80000000).
std::string EncodedShardIdString(uint32_t index);
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
  std::vector<std::string> shard_level_metrics;  // enhanced monitoring, Kinesis order
  bool encrypted = false;                        // EncryptionType KMS
  std::string key_id;
  StreamMode mode = StreamMode::kProvisioned;
};

// Stream consumers.
struct ConsumerDescription {
  std::string name;
  std::string arn;  // arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CNAME:EPOCHSECONDS
  std::string stream_arn;
  ConsumerStatus status = ConsumerStatus::kActive;
  int64_t created_ms = 0;
};
struct ConsumerList {
  std::vector<ConsumerDescription> consumers;
  std::optional<std::string> next_token;
};

// DescribeStreamSummary.
struct StreamSummaryDescription {
  std::string name;
  std::string arn;
  StreamStatus status = StreamStatus::kActive;
  int32_t retention_hours = 24;
  int64_t created_ms = 0;
  int64_t open_shard_count = 0;
  int64_t consumer_count = 0;
  std::vector<std::string> shard_level_metrics;
  bool encrypted = false;
  std::string key_id;
  StreamMode mode = StreamMode::kProvisioned;
  uint32_t max_record_size_kib = kDefaultMaxRecordSizeKiB;
  std::optional<WarmThroughput> warm;
  std::optional<RecordDistribution> distribution;  // set for ON_DEMAND streams
};

// ListShards.
enum class ShardFilterType : uint8_t {  // values are persisted in NextTokens
  kAfterShardId = 1,
  kAtTrimHorizon = 2,
  kFromTrimHorizon = 3,
  kAtLatest = 4,
  kAtTimestamp = 5,
  kFromTimestamp = 6,
};
struct ShardFilter {
  ShardFilterType type = ShardFilterType::kFromTrimHorizon;
  std::optional<std::string> shard_id;         // AFTER_SHARD_ID
  std::optional<double> timestamp_seconds;     // AT_TIMESTAMP / FROM_TIMESTAMP
};
struct ListShardsRequest {
  std::optional<StreamAddress> stream;  // exactly one of stream and next_token
  std::optional<std::string> next_token;
  std::optional<std::string> exclusive_start_shard_id;
  std::optional<int64_t> max_results;
  std::optional<double> stream_creation_seconds;
  std::optional<ShardFilter> filter;
};
struct ShardList {
  std::vector<ShardDescription> shards;
  std::optional<std::string> next_token;
};

// UpdateShardCount.
struct ShardCountUpdate {
  std::string name;
  std::string arn;
  int64_t current_shard_count = 0;
  int64_t target_shard_count = 0;
};

// DescribeLimits.
struct AccountLimits {
  int64_t shard_limit = 0;
  int64_t open_shard_count = 0;
  int64_t on_demand_stream_count = 0;
  int64_t on_demand_stream_count_limit = 0;
};

// Enable/DisableEnhancedMonitoring.
struct MetricsUpdate {
  std::string name;
  std::string arn;
  std::vector<std::string> current;  // before the change
  std::vector<std::string> desired;  // after it
};

struct StreamSummary {
  std::string name;
  std::string arn;
  StreamStatus status = StreamStatus::kActive;
  int64_t created_ms = 0;
  StreamMode mode = StreamMode::kProvisioned;
};

// UpdateStreamWarmThroughput.
struct WarmThroughputUpdate {
  std::string name;
  std::string arn;
  WarmThroughput warm;
};

// Describe/UpdateAccountSettings: MinimumThroughputBillingCommitment as of now.
struct AccountSettings {
  CommitmentStatus status = CommitmentStatus::kDisabled;
  std::optional<int64_t> started_ms;
  std::optional<int64_t> ended_ms;
  std::optional<int64_t> earliest_end_ms;
};
const char* CommitmentStatusName(CommitmentStatus status);

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
  bool encrypted = false;  // the stream encrypts with KMS (EncryptionType KMS)
  Status error;            // not OK: this record was not stored (the rest say nothing of it)
};

// The shards PutRecords would route entries to, in request order.
struct PutRouting {
  uint64_t incarnation = 0;
  std::vector<uint32_t> shards;
};

enum class IteratorType { kAtSequenceNumber, kAfterSequenceNumber, kTrimHorizon, kLatest, kAtTimestamp };

struct IteratorRequest {
  IteratorType type = IteratorType::kLatest;
  std::optional<std::string> starting_sequence_number;
  std::optional<double> timestamp_seconds;
};

// partition_key and data view bytes held by the RecordsPage's `bytes`.
struct RecordOut {
  std::string sequence_number;
  int64_t arrival_ms = 0;
  std::string_view partition_key;
  std::string_view data;
};

struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  HashKeyRange range;
};

struct RecordsPage {
  std::vector<RecordOut> records;
  ByteArena bytes;  // what records view
  std::optional<std::string> next_shard_iterator;  // absent at the end of a closed shard
  int64_t millis_behind_latest = 0;
  std::vector<ChildShard> child_shards;  // set at the end of a closed shard
  bool encrypted = false;                 // records are reported with EncryptionType KMS
};

// SubscribeToShard (stream_service_subscriptions.cc).
struct SubscriptionRequest {
  StreamAddress stream;
  std::string consumer;
  std::optional<int64_t> consumer_created_seconds;  // from the ConsumerARN
  std::string shard_id;
  IteratorRequest start;
};
// A running subscription: who reads which shard, and where it is.
struct Subscription {
  StreamAddress stream;
  uint64_t incarnation = 0;
  uint32_t shard_index = 0;
  std::string consumer;
  int64_t consumer_created_ms = 0;
  uint64_t lease = 0;         // a later subscription of the same consumer and shard takes over
  int64_t expires_ms = 0;     // the subscription ends then
  std::string cursor;         // shard iterator token of the next read
};
// One read of a subscription: a SubscribeToShardEvent's content.
struct SubscriptionBatch {
  RecordsPage page;                 // child_shards set once a closed shard was read to its end
  std::string continuation;         // ContinuationSequenceNumber (empty at a closed shard's end)
  bool shard_end = false;           // ChildShards were reached: the subscription is over
  std::string next_cursor;          // the subscription's cursor after this batch (empty at the end)
};

// A taggable resource (TagResource, UntagResource, ListTagsForResource): a
// stream, or one of its consumers when `consumer` is set.
struct ResourceRef {
  StreamAddress stream;
  std::optional<std::string> consumer;
  std::optional<int64_t> consumer_created_seconds;  // from a consumer ARN
};

struct TagList {
  std::vector<std::pair<std::string, std::string>> tags;
  bool has_more = false;
};

class StreamService {
 public:
  using Done = std::function<void(Status)>;

  // Loads every stream from `store` and starts following its changes.
  // `store` and `clock` must outlive the service.
  static StatusOr<std::unique_ptr<StreamService>> Open(store::Store& store, const Clock& clock,
                                                       ServiceOptions options);
  ~StreamService();
  // Stops the background thread (deferred transitions wait for the next
  // start or another node). Call before closing the store. Idempotent.
  void Stop();

  // Control plane.
  // `tags`: CreateStream's Tags (at most 50).
  void CreateStream(const StreamAddress& address, int64_t shard_count, Done done,
                    std::map<std::string, std::string> tags = {});
  // The same with a capacity mode, record size and warm throughput.
  void CreateStream(const StreamAddress& address, StreamCreation creation, Done done);
  // Without `enforce_consumer_deletion`, a stream with consumers is not deleted.
  void DeleteStream(const StreamAddress& address, bool enforce_consumer_deletion, Done done);
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
  // Tags of a stream (the same as AddTags/ListTags/RemoveTags) or of a
  // consumer (stream_service_tags.cc). At most 50 per resource.
  void TagResource(const ResourceRef& resource, std::map<std::string, std::string> tags, Done done);
  void UntagResource(const ResourceRef& resource, std::vector<std::string> keys, Done done);
  StatusOr<std::map<std::string, std::string>> ListResourceTags(const ResourceRef& resource);
  // Resource policies of streams and consumers (stream_service_policies.cc).
  // `policy` is JSON text (the caller checks its syntax), at most
  // kMaxResourcePolicyBytes. GetResourcePolicy of a resource without one is "{}".
  static constexpr size_t kMaxResourcePolicyBytes = 20 * 1024;
  void PutResourcePolicy(const ResourceRef& resource, std::string policy, Done done);
  StatusOr<std::string> GetResourcePolicy(const ResourceRef& resource);
  // The resource's policy as this node knows it, without waiting for the
  // store ("{}" when there is none, or the resource is unknown here): for
  // authorizing data-plane calls, which must not block.
  std::string KnownResourcePolicy(const ResourceRef& resource) const;
  void DeleteResourcePolicy(const ResourceRef& resource, Done done);

  // Shards and settings (stream_service_shards.cc, stream_service_settings.cc).
  StatusOr<StreamSummaryDescription> DescribeStreamSummary(const StreamAddress& address);
  // For /metrics, from what this node knows now (never blocks): nullopt when
  // the stream does not exist (or is gone), else the shard-level metrics it
  // enabled with EnableEnhancedMonitoring, in Kinesis order.
  std::optional<std::vector<std::string>> EnabledShardMetrics(const StreamAddress& address) const;
  StatusOr<ShardList> ListShards(const ListShardsRequest& request);
  void UpdateShardCount(const StreamAddress& address, int64_t target_shard_count,
                        std::function<void(StatusOr<ShardCountUpdate>)> done);
  void IncreaseRetention(const StreamAddress& address, int64_t hours, Done done);
  void DecreaseRetention(const StreamAddress& address, int64_t hours, Done done);
  AccountLimits DescribeLimits(const std::string& account_id, const std::string& region);
  // `metrics`: MetricsName values ("ALL" stands for all seven).
  void SetEnhancedMonitoring(const StreamAddress& address, const std::vector<std::string>& metrics, bool enable,
                             std::function<void(StatusOr<MetricsUpdate>)> done);
  // Consumers (stream_service_consumers.cc). `created_seconds`, when given
  // (the consumer was named by ARN), must match the consumer's.
  void RegisterConsumer(const StreamAddress& address, const std::string& name,
                        std::function<void(StatusOr<ConsumerDescription>)> done,
                        std::map<std::string, std::string> tags = {});
  StatusOr<ConsumerDescription> DescribeConsumer(const StreamAddress& address, const std::string& name,
                                                 std::optional<int64_t> created_seconds);
  void DeregisterConsumer(const StreamAddress& address, const std::string& name,
                          std::optional<int64_t> created_seconds, Done done);
  StatusOr<ConsumerList> ListConsumers(const StreamAddress& address, const std::optional<std::string>& next_token,
                                       std::optional<int64_t> max_results,
                                       std::optional<double> stream_creation_seconds);

  // Start/StopStreamEncryption. `encryption_type` must be "KMS".
  void SetStreamEncryption(const StreamAddress& address, bool start, const std::string& encryption_type,
                           const std::string& key_id, Done done);

  // Capacity modes, record sizes and warm throughput
  // (stream_service_modes.cc). Each keeps the stream UPDATING for the
  // update delay.
  // `warm_throughput_mibps`: UpdateStreamMode's WarmThroughputMiBps (to ON_DEMAND only).
  void UpdateStreamMode(const StreamAddress& address, StreamMode mode, std::optional<int64_t> warm_throughput_mibps,
                        Done done);
  void UpdateMaxRecordSize(const StreamAddress& address, int64_t kib, Done done);
  // UpdateStreamRecordDistributionStrategy: takes effect at once (the stream
  // stays ACTIVE); AUTO only on an ON_DEMAND stream.
  void UpdateRecordDistribution(const StreamAddress& address, RecordDistribution distribution, Done done);
  void UpdateStreamWarmThroughput(const StreamAddress& address, int64_t mibps,
                                  std::function<void(StatusOr<WarmThroughputUpdate>)> done);
  // Account settings per account and region (stream_service_account.cc).
  AccountSettings DescribeAccountSettings(const std::string& account_id, const std::string& region);
  void UpdateAccountSettings(const std::string& account_id, const std::string& region, bool enable,
                             std::function<void(StatusOr<AccountSettings>)> done);

  // Data plane (stream_service_records.cc). `sequence_number_for_ordering`,
  // when given, must be a sequence number this server issued (PutRecord
  // only). Results are in entry order; a record that could not be stored has
  // its `error` set (when none was stored, the call fails with the error).
  // `dry_run`: every check, nothing stored; an empty result list when the
  // records would have been taken (DryRun).
  void PutRecords(const StreamAddress& address, std::vector<PutEntry> entries,
                  const std::optional<std::string>& sequence_number_for_ordering,
                  std::function<void(StatusOr<std::vector<PutResult>>)> done, bool dry_run = false);
  void GetShardIterator(const StreamAddress& address, const std::string& shard_id, const IteratorRequest& request,
                        std::function<void(StatusOr<std::string>)> done);
  // `max_bytes`: at most this many bytes of record data (at least one record is returned).
  void GetRecords(const std::string& shard_iterator, std::optional<int64_t> limit, uint64_t max_bytes,
                  std::function<void(StatusOr<RecordsPage>)> done);

  // SubscribeToShard: checks the consumer (ACTIVE), the shard and the
  // starting position, and the one-subscription-per-5-seconds rule (across
  // every node); the new subscription takes over an older one of the same
  // consumer and shard.
  void Subscribe(const SubscriptionRequest& request, std::function<void(StatusOr<Subscription>)> done);
  // The next records of a subscription from its cursor (the batch carries
  // the next cursor). Fails with ResourceNotFound when the stream or consumer
  // is gone and ResourceInUse when another subscription took over.
  void ReadSubscription(const Subscription& subscription, int64_t max_records, uint64_t max_bytes,
                        std::function<void(StatusOr<SubscriptionBatch>)> done);
  // Wakes subscribers when their shard changes (records settled — through
  // any node, for shards watched with WatchShard — shard closed, stream or
  // consumer deleted, a subscription taken over).
  ShardNotifier& notifier() { return notifier_; }
  // Declares (true) or withdraws (false) interest in records put through
  // other nodes into a shard; calls are counted.
  void WatchShard(uint64_t incarnation, uint32_t shard_index, bool watch);
  const Clock& clock() const { return clock_; }

  // The stream as of now (transitions due applied), after a barrier when
  // `fresh`; NotFound when it does not exist or is gone. For channels
  // (channel_service.h), which keep their own metadata.
  StatusOr<StreamState> StreamSnapshot(const StreamAddress& address, bool fresh);
  // Asked by DeleteStream before it marks a stream DELETING: a non-OK status
  // refuses the deletion with it (channels attached to the stream).
  using DeleteGuard = std::function<Status(const StreamAddress& address, uint64_t incarnation)>;
  // Metadata keys core keeps verbatim (channels'), from this node's copy: after
  // a barrier when `fresh` (control calls), else as last seen (no store call).
  StatusOr<std::vector<store::MetaEntry>> MetaWithPrefix(const std::string& prefix, bool fresh);
  std::optional<store::MetaEntry> MetaEntryOf(const std::string& key) const { return registry_.Global(key); }
  // Pagination tokens as ListStreamConsumers and ListShards make them: the
  // payload and an HMAC under the iterator secret; Open gives nullopt for a
  // token this cluster did not seal.
  std::string SealToken(std::string_view payload) const { return iterators_.Seal(payload); }
  std::optional<std::string> OpenToken(std::string_view token) const { return iterators_.Open(token); }
  // Writes one key (compare-and-set per `write`) and applies it to this node's copy.
  StatusOr<uint64_t> WriteMeta(store::MetaWrite write) { return WriteMetaAndWait(std::move(write)); }
  void SetDeleteGuard(DeleteGuard guard) { delete_guard_ = std::move(guard); }

  // For throughput limits (stream_service_routing.cc): the shard each entry
  // would be written to now (errors as PutRecords gives them), and the shard
  // an iterator reads (nullopt when it does not decode; GetRecords words that).
  StatusOr<PutRouting> RoutePuts(const StreamAddress& address, std::span<const PutEntry> entries);
  // For a stream whose record distribution is AUTO, gives each entry an
  // explicit hash key that spreads records evenly over the hash key space
  // (so over the open shards), whatever its partition key and explicit hash
  // key; leaves other streams' entries alone. Call once, before RoutePuts
  // and PutRecords, so both route an entry alike. Never blocks.
  void SpreadIfAuto(const StreamAddress& address, std::span<PutEntry> entries);
  std::optional<ShardIterator> PeekIterator(const std::string& shard_iterator) const;

  // Retention: deletes (store::TrimBefore) every record older than its
  // stream's retention period as of the clock; TRIM_HORIZON, AT_TIMESTAMP and
  // reads through older iterators then start at the trimmed horizon. Blocks;
  // a RetentionTrimmer (core/retention.h) calls it periodically. Returns the
  // first store error (after trying every shard).
  Status TrimExpired();
  // Drops store logs that belong to no stream and are older than `min_age_ms`
  // (left by a node that died between creating a stream's logs and writing
  // its record, or between two steps of a deletion). Blocks.
  static constexpr int64_t kOrphanLogAgeMs = 10 * 60 * 1000;
  Status CollectOrphanLogs(int64_t min_age_ms);

  // Each stream's approximate bytes on disk (its shards' record logs,
  // closed shards included), for /metrics; empty when the store cannot tell
  // cheaply (store::Store::ApproximateLogBytes). Blocks briefly.
  struct StreamBytes {
    StreamAddress address;
    uint64_t bytes = 0;
  };
  std::vector<StreamBytes> BytesOnDisk();

 private:
  StreamService(store::Store& store, const Clock& clock, ServiceOptions options, std::string secret);

  // --- metadata (stream_service_meta.cc) ---
  // Loads the registry, the iterator secret, and adopts logs of older stores.
  static StatusOr<std::string> LoadSecret(store::Store& store, StreamRegistry& registry);
  Status AdoptLogs();
  // Catches up with every change committed anywhere before the call. Blocks.
  Status Barrier();
  // The stream as this node knows it (never blocks); after a miss, the caller
  // may retry after Barrier().
  StreamPtr Find(const StreamAddress& address) const;
  std::atomic<uint64_t> spread_counter_{0};  // SpreadIfAuto's position
  // Writes one key (compare-and-set) and waits; installs the change in the
  // registry. Blocks.
  StatusOr<uint64_t> WriteMetaAndWait(store::MetaWrite write);
  // Read-modify-write of one stream record: `change` edits a copy of the
  // stream as of now (time-only transitions applied, due reshards carried out
  // first) and returns an error to stop, or OK to write it; a write that
  // lost a race is retried on the fresh record. Blocks. Sets `*written` to the
  // stream written when given.
  using StreamChange = std::function<Status(StreamState& s, int64_t now)>;
  Status MutateStream(const StreamAddress& address, const StreamChange& change, StreamPtr* written = nullptr);
  using ConsumerChange = std::function<Status(ConsumerState& c, const StreamEntry& stream, int64_t now)>;
  Status MutateConsumer(const ResourceRef& consumer, const ConsumerChange& change);
  // Allocates a stream incarnation never used before. Blocks.
  StatusOr<uint64_t> NewIncarnation();
  // Called by the registry for every changed key (wakes subscribers,
  // schedules due work).
  void OnMetaChange(const std::string& key, const StreamPtr& stream, uint64_t incarnation);

  // --- deferred transitions (stream_service_settle.cc) ---
  // Carries out what the stream's record says is due: a pending reshard
  // (seal the parents, open the children's logs, write the new layout), or a
  // deletion (drop logs and consumers, then the record). Idempotent; any node
  // may run it. Blocks.
  Status Settle(const StreamAddress& address);
  void ScheduleSettle(const StreamEntry& stream);
  // Settles the stream after delay_ms, and again after retry_ms (doubling)
  // while the store fails.
  void SettleWhenDue(const StreamAddress& address, int64_t delay_ms, int64_t retry_ms);
  // Settles consumers of the stream whose deletion is due.
  void SettleConsumers(const StreamAddress& address, uint64_t incarnation);
  // The reshard `s.pending` describes, applied to `s` given the parents' log
  // ends (stream_service_reshard.cc). Returns the shards it created.
  std::vector<uint32_t> ApplyReshard(StreamState& s, const std::map<uint32_t, uint64_t>& ends, int64_t now);
  // The open shards a pending reshard closes.
  std::vector<uint32_t> ShardsClosedBy(const StreamEntry& stream, const PendingReshard& reshard) const;
  // Records `reshard` as the stream's pending one (UPDATING until due), or
  // applies it at once when there is no update delay.
  Status StartReshard(const StreamAddress& address, const StreamChange& check_and_plan);
  store::LogOptions LogOptionsFor(const StreamState& s, uint64_t first_counter) const;

  // --- helpers ---
  // Sets (or, when empty, removes) a resource's policy.
  void SetResourcePolicy(const ResourceRef& resource, std::string policy, Done done);
  void ChangeRetention(const StreamAddress& address, int64_t hours, bool increase, Done done);
  // The consumer `name` of the stream, if it exists, is not gone and (when
  // given) was created in `created_seconds`.
  ConsumerPtr LiveConsumer(const StreamEntry& stream, const std::string& name, std::optional<int64_t> created_seconds,
                           int64_t now) const;
  // The stream's consumers that are not gone, by name.
  std::vector<ConsumerPtr> LiveConsumers(const StreamEntry& stream, int64_t now) const;
  ConsumerDescription DescribeConsumerOf(const StreamAddress& stream, const ConsumerState& consumer) const;
  // Open shards of all streams of an account and region.
  int64_t CountOpenShards(const std::string& account_id, const std::string& region);
  // ON_DEMAND streams of an account and region.
  int64_t CountOnDemandStreams(const std::string& account_id, const std::string& region);
  // Whether the account has MinimumThroughputBillingCommitment on at `now`.
  bool CommitmentEnabled(const std::string& account_id, const std::string& region, int64_t now);
  // OK if `address`'s account may set a warm throughput of `mibps`.
  Status CheckWarmThroughput(const StreamAddress& address, int64_t mibps, int64_t now);
  Status StreamNotFound(const StreamAddress& address) const;
  // Time-only transitions (CREATING -> ACTIVE, UPDATING without a reshard ->
  // ACTIVE) applied to a copy of `s` as of `now`.
  static StreamState AsOf(const StreamState& s, int64_t now);
  static StreamStatus StatusAsOf(const StreamState& s, int64_t now);
  static ConsumerState ConsumerAsOf(const ConsumerState& c, int64_t now);
  static bool ConsumerGone(const ConsumerState& c, int64_t now);

  // Data plane pieces (stream_service_records.cc).
  // `refreshed`: the registry already caught up once for this call.
  void GetShardIteratorImpl(const StreamAddress& address, const std::string& shard_id, const IteratorRequest& request,
                            std::function<void(StatusOr<std::string>)> done, bool refreshed);
  void SubscribeImpl(const SubscriptionRequest& request, std::function<void(StatusOr<Subscription>)> done,
                     bool refreshed);
  // Takes the lease of the subscription's consumer and shard (`fresh`: the
  // lease was just read from the store).
  void TakeLease(Subscription sub, std::function<void(StatusOr<Subscription>)> done, bool fresh);
  // CreateStream holding the account's ShardLimitLocks lock.
  Status CreateStreamHeld(const StreamAddress& address, const StreamCreation& creation, int64_t shard_count);
  struct PutCall;
  void RunPut(std::shared_ptr<PutCall> call);
  void FinishPut(std::shared_ptr<PutCall> call);
  // Runs `retry` on the background thread after catching up with the
  // store's metadata (for data-plane calls that missed in the registry).
  void AfterBarrier(std::function<void()> retry);

  store::Store& store_;
  const Clock& clock_;
  const ServiceOptions options_;
  ShardIteratorCodec iterators_;  // set once in Open(), before any use
  StreamRegistry registry_;
  KeyLocks key_locks_;  // serialises this node's read-modify-writes of one key
  // Serialise the calls that add open shards, across nodes; taken before any key lock.
  ShardLimitLocks shard_limit_locks_{store_, clock_};
  std::mutex incarnation_mu_;  // serialises this node's NewIncarnation()
  ShardNotifier notifier_;
  DeleteGuard delete_guard_;
  BackgroundWorker worker_;
};

}  // namespace riffle::core
