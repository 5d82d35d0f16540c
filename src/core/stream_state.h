// StreamState: the persisted description of one stream and its shards.
//
// This is what core writes to the store's metadata keyspace (encoded by
// stream_codec.h) on every control-plane change; runtime-only state (next
// counters, commit marks) lives in stream.h. Plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/hash_key.h"

namespace riffle::core {

// DO NOT RENUMBER: persisted.
enum class StreamStatus : uint8_t { kCreating = 0, kDeleting = 1, kActive = 2, kUpdating = 3 };
const char* StreamStatusName(StreamStatus status);

// Identifies a stream: Kinesis scopes stream names by account and region.
struct StreamAddress {
  std::string account_id;
  std::string region;
  std::string name;
  std::string Arn() const;
  friend bool operator==(const StreamAddress&, const StreamAddress&) = default;
};

struct ShardState {
  uint32_t index = 0;
  std::optional<uint32_t> parent;
  std::optional<uint32_t> adjacent_parent;
  HashKeyRange range;
  uint64_t start_counter = 0;  // first counter this shard may assign
  int64_t created_ms = 0;
  bool closed = false;
  uint64_t end_counter = 0;    // when closed: one past the last counter assigned
  int64_t closed_ms = 0;
};

// A resharding waiting for its UPDATING period to end (--update-stream-ms).
// DO NOT RENUMBER: persisted.
// kUniformScaling (UpdateShardCount) exists from stream format version 2.
enum class ReshardKind : uint8_t { kSplit = 1, kMerge = 2, kUniformScaling = 3 };
struct PendingReshard {
  ReshardKind kind = ReshardKind::kSplit;
  uint32_t shard = 0;           // ShardToSplit / ShardToMerge; target shard count for kUniformScaling
  uint32_t adjacent_shard = 0;  // AdjacentShardToMerge (merge only)
  HashKey new_starting_hash_key;  // split only
};

// Capacity mode. DO NOT RENUMBER: persisted.
enum class StreamMode : uint8_t { kProvisioned = 0, kOnDemand = 1 };
const char* StreamModeName(StreamMode mode);

// How PutRecord and PutRecords pick a record's shard: by its partition key
// (or ExplicitHashKey), or evenly, ignoring both (AUTO; on-demand streams only).
// Persisted (stream record version 5): never renumber.
enum class RecordDistribution : uint8_t { kUserPartitionKey = 0, kAuto = 1 };
const char* RecordDistributionName(RecordDistribution distribution);
// "AUTO" or else USER_PARTITION_KEY (the model's enum has only these two).
RecordDistribution RecordDistributionOf(std::string_view name);

// Record size limits (UpdateMaxRecordSize): data + partition key of one record.
inline constexpr uint32_t kDefaultMaxRecordSizeKiB = 1024;
inline constexpr uint32_t kMaxMaxRecordSizeKiB = 10240;

// Warm throughput of an on-demand stream (UpdateStreamWarmThroughput).
struct WarmThroughput {
  uint32_t target_mibps = 0;
  uint32_t current_mibps = 0;  // becomes target_mibps when UPDATING ends
  friend bool operator==(const WarmThroughput&, const WarmThroughput&) = default;
};

struct StreamState {
  StreamAddress address;
  uint64_t incarnation = 0;  // unique per CreateStream, never reused
  StreamStatus status = StreamStatus::kCreating;
  int64_t created_ms = 0;
  int64_t transition_due_ms = 0;  // when CREATING/DELETING/UPDATING ends
  std::optional<PendingReshard> pending;
  int32_t retention_hours = 24;
  std::map<std::string, std::string> tags;
  std::vector<ShardState> shards;  // shards[i].index == i
  // From format version 2 (version 1 records decode with these defaults).
  uint32_t shard_level_metrics = 0;  // bit set of ShardLevelMetric
  bool encrypted = false;            // EncryptionType KMS (else NONE)
  std::string key_id;                // KMS key id when encrypted
  // From format version 3 (older records decode with none).
  std::string policy;                // PutResourcePolicy's JSON; empty = none
  // From format version 4 (older records decode with these defaults).
  StreamMode mode = StreamMode::kProvisioned;
  uint32_t max_record_size_kib = kDefaultMaxRecordSizeKiB;
  std::optional<WarmThroughput> warm;
  std::vector<int64_t> mode_switches_ms;  // UpdateStreamMode changes in the last 24 h, oldest first
  // From format version 5 (older records decode with this default).
  RecordDistribution distribution = RecordDistribution::kUserPartitionKey;
};

// An enhanced fan-out consumer of a stream (RegisterStreamConsumer). Stored
// under its own metadata key. DO NOT RENUMBER: persisted.
enum class ConsumerStatus : uint8_t { kCreating = 0, kDeleting = 1, kActive = 2 };
const char* ConsumerStatusName(ConsumerStatus status);
struct ConsumerState {
  uint64_t incarnation = 0;  // of its stream
  std::string name;
  int64_t created_ms = 0;    // its ARN ends with created_ms / 1000
  ConsumerStatus status = ConsumerStatus::kCreating;
  int64_t transition_due_ms = 0;  // when CREATING/DELETING ends
  // From consumer format version 2 (version 1 records decode with none):
  // TagResource on a consumer ARN / RegisterStreamConsumer's Tags, and
  // PutResourcePolicy's JSON (empty = none).
  std::map<std::string, std::string> tags;
  std::string policy;
};

// An account's settings in one region (Update/DescribeAccountSettings),
// stored under its own metadata key. DO NOT RENUMBER: persisted.
enum class CommitmentStatus : uint8_t { kDisabled = 0, kEnabled = 1, kEnabledUntilEarliestAllowedEnd = 2 };
struct AccountSettingsState {
  CommitmentStatus status = CommitmentStatus::kDisabled;  // MinimumThroughputBillingCommitment
  int64_t started_ms = 0;       // 0 = never enabled
  int64_t ended_ms = 0;         // 0 = not ended
  int64_t earliest_end_ms = 0;  // EarliestAllowedEndAt; 0 = none
  friend bool operator==(const AccountSettingsState&, const AccountSettingsState&) = default;
};

// Enhanced monitoring metrics as bits of StreamState::shard_level_metrics,
// in the order Kinesis lists them. DO NOT RENUMBER: persisted.
enum class ShardLevelMetric : uint32_t {
  kIncomingBytes = 1u << 0,
  kIncomingRecords = 1u << 1,
  kOutgoingBytes = 1u << 2,
  kOutgoingRecords = 1u << 3,
  kWriteProvisionedThroughputExceeded = 1u << 4,
  kReadProvisionedThroughputExceeded = 1u << 5,
  kIteratorAgeMilliseconds = 1u << 6,
};
inline constexpr uint32_t kAllShardLevelMetrics = 0x7F;

}  // namespace riffle::core
