// A channel (CreateChannel): delivers the records of one stream to an
// S3-compatible bucket in objects (docs/channels.md). Stored under its own
// metadata key (docs/storage-format.md "Channel record"); the delivery
// position of each shard is a key of its own.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace riffle::core {

// Persisted (channel record version 1): never renumber.
enum class ChannelStatus : uint8_t { kCreating = 0, kDeleting = 1, kActive = 2, kUpdating = 3, kFailed = 4 };
const char* ChannelStatusName(ChannelStatus status);

enum class RecordFormat : uint8_t { kByteArray = 0, kJson = 1, kString = 2 };
enum class ObjectCompression : uint8_t { kNone = 0, kGzip = 1, kZstd = 2 };
enum class StorageClass : uint8_t { kStandard = 0, kIntelligentTiering = 1, kGlacierIr = 2 };
// The API's names: RecordFormatType, CompressionType, StorageClass.
const char* RecordFormatName(RecordFormat format);
const char* CompressionName(ObjectCompression compression);
const char* StorageClassName(StorageClass storage_class);

struct ChannelState {
  std::string id;  // UUID text
  std::string name;
  int64_t created_ms = 0;
  ChannelStatus status = ChannelStatus::kCreating;
  int64_t transition_due_ms = 0;
  std::string status_reason;
  std::string role_arn;

  std::string stream_name;
  uint64_t stream_incarnation = 0;
  int64_t stream_created_ms = 0;
  RecordFormat format = RecordFormat::kByteArray;

  std::string bucket_arn;
  std::string bucket_owner;
  ObjectCompression compression = ObjectCompression::kNone;
  std::string key_template;  // empty: the default
  StorageClass storage_class = StorageClass::kStandard;
  int64_t freshness_seconds = 300;
  std::string dlq_bucket_arn;  // empty: the destination bucket
  std::string dlq_owner;
  std::string dlq_prefix;      // empty: kinesis-channel/errors/<name>/<id>/

  bool kms = false;
  std::string kms_key_id;
  bool logging = false;
  std::string log_group;
  std::string log_stream;
  std::map<std::string, std::string> tags;
  int64_t deliver_from_ms = 0;
};

// A channel's position in one shard of its stream.
struct ChannelPosition {
  uint64_t next_counter = 0;
  uint64_t objects = 0;
  uint64_t pending_end = 0;  // 0: none; else the object [next_counter, pending_end) is being written
};

}  // namespace riffle::core
