#include "core/channel_codec.h"

#include "core/byte_codec.h"

namespace riffle::core {
namespace {

constexpr uint8_t kChannelFormatVersion = 1;
constexpr uint8_t kPositionFormatVersion = 1;

}  // namespace

const char* ChannelStatusName(ChannelStatus status) {
  switch (status) {
    case ChannelStatus::kCreating:
      return "CREATING";
    case ChannelStatus::kDeleting:
      return "DELETING";
    case ChannelStatus::kActive:
      return "ACTIVE";
    case ChannelStatus::kUpdating:
      return "UPDATING";
    case ChannelStatus::kFailed:
      return "FAILED";
  }
  return "ACTIVE";
}

const char* RecordFormatName(RecordFormat format) {
  switch (format) {
    case RecordFormat::kJson:
      return "JSON";
    case RecordFormat::kString:
      return "STRING";
    case RecordFormat::kByteArray:
      break;
  }
  return "BYTE_ARRAY";
}

const char* CompressionName(ObjectCompression compression) {
  switch (compression) {
    case ObjectCompression::kGzip:
      return "GZIP";
    case ObjectCompression::kZstd:
      return "ZSTD";
    case ObjectCompression::kNone:
      break;
  }
  return "NONE";
}

const char* StorageClassName(StorageClass storage_class) {
  switch (storage_class) {
    case StorageClass::kIntelligentTiering:
      return "INTELLIGENT_TIERING";
    case StorageClass::kGlacierIr:
      return "GLACIER_IR";
    case StorageClass::kStandard:
      break;
  }
  return "STANDARD";
}

std::string ChannelMetaKey(const std::string& account_id, const std::string& region, const std::string& name) {
  return std::string(kChannelKeyPrefix) + account_id + "/" + region + "/" + name;
}

std::string ChannelPositionPrefix(const std::string& channel_id) {
  return std::string(kChannelPositionKeyPrefix) + channel_id + "/";
}

std::string ChannelPositionKey(const std::string& channel_id, uint32_t shard_index) {
  return ChannelPositionPrefix(channel_id) + std::to_string(shard_index);
}

std::string EncodeChannelState(const ChannelState& c) {
  std::string out;
  out.push_back(static_cast<char>(kChannelFormatVersion));
  PutString(out, c.id);
  PutI64(out, c.created_ms);
  out.push_back(static_cast<char>(c.status));
  PutI64(out, c.transition_due_ms);
  PutString(out, c.status_reason);
  PutString(out, c.role_arn);
  PutString(out, c.stream_name);
  PutVarint(out, c.stream_incarnation);
  PutI64(out, c.stream_created_ms);
  out.push_back(static_cast<char>(c.format));
  PutString(out, c.bucket_arn);
  PutString(out, c.bucket_owner);
  out.push_back(static_cast<char>(c.compression));
  PutString(out, c.key_template);
  out.push_back(static_cast<char>(c.storage_class));
  PutVarint(out, static_cast<uint64_t>(c.freshness_seconds));
  PutString(out, c.dlq_bucket_arn);
  PutString(out, c.dlq_owner);
  PutString(out, c.dlq_prefix);
  out.push_back(static_cast<char>(c.kms ? 1 : 0));
  PutString(out, c.kms_key_id);
  out.push_back(static_cast<char>(c.logging ? 1 : 0));
  PutString(out, c.log_group);
  PutString(out, c.log_stream);
  PutVarint(out, c.tags.size());
  for (const auto& [key, value] : c.tags) {
    PutString(out, key);
    PutString(out, value);
  }
  PutI64(out, c.deliver_from_ms);
  return out;
}

StatusOr<ChannelState> DecodeChannelState(std::string_view bytes) {
  ByteReader r(bytes);
  if (r.U8() != kChannelFormatVersion) return Status::StorageError("unknown channel metadata version");
  ChannelState c;
  c.id = r.String();
  c.created_ms = r.I64();
  const uint8_t status = r.U8();
  c.transition_due_ms = r.I64();
  c.status_reason = r.String();
  c.role_arn = r.String();
  c.stream_name = r.String();
  c.stream_incarnation = r.Varint();
  c.stream_created_ms = r.I64();
  const uint8_t format = r.U8();
  c.bucket_arn = r.String();
  c.bucket_owner = r.String();
  const uint8_t compression = r.U8();
  c.key_template = r.String();
  const uint8_t storage_class = r.U8();
  c.freshness_seconds = static_cast<int64_t>(r.Varint());
  c.dlq_bucket_arn = r.String();
  c.dlq_owner = r.String();
  c.dlq_prefix = r.String();
  c.kms = r.U8() != 0;
  c.kms_key_id = r.String();
  c.logging = r.U8() != 0;
  c.log_group = r.String();
  c.log_stream = r.String();
  const uint64_t tags = r.Varint();
  for (uint64_t i = 0; i < tags && i < (1u << 16); ++i) {
    std::string key = r.String();
    c.tags[std::move(key)] = r.String();
  }
  c.deliver_from_ms = r.I64();
  if (!r.ok() || status > static_cast<uint8_t>(ChannelStatus::kFailed) ||
      format > static_cast<uint8_t>(RecordFormat::kString) ||
      compression > static_cast<uint8_t>(ObjectCompression::kZstd) ||
      storage_class > static_cast<uint8_t>(StorageClass::kGlacierIr)) {
    return Status::StorageError("corrupt channel metadata");
  }
  c.status = static_cast<ChannelStatus>(status);
  c.format = static_cast<RecordFormat>(format);
  c.compression = static_cast<ObjectCompression>(compression);
  c.storage_class = static_cast<StorageClass>(storage_class);
  return c;
}

std::string EncodeChannelPosition(const ChannelPosition& p) {
  std::string out;
  out.push_back(static_cast<char>(kPositionFormatVersion));
  PutVarint(out, p.next_counter);
  PutVarint(out, p.objects);
  PutVarint(out, p.pending_end);
  return out;
}

StatusOr<ChannelPosition> DecodeChannelPosition(std::string_view bytes) {
  ByteReader r(bytes);
  if (r.U8() != kPositionFormatVersion) return Status::StorageError("unknown channel position version");
  ChannelPosition p;
  p.next_counter = r.Varint();
  p.objects = r.Varint();
  p.pending_end = r.Varint();
  if (!r.ok()) return Status::StorageError("corrupt channel position");
  return p;
}

}  // namespace riffle::core
