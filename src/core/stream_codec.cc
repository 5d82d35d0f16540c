#include "core/stream_codec.h"

#include <cstring>

namespace riffle::core {

namespace {

// Version 1: the original layout. Version 2: version 1's fields, the
// uniform-scaling pending kind, then enhanced metrics and encryption.
// Version 3: version 2's fields, then the resource policy. Version 4:
// version 3's fields, then mode, max record size, warm throughput and mode
// switches. Version 5 (written now): version 4's fields, then the record
// distribution strategy (docs/storage-format.md).
constexpr uint8_t kFormatVersion = 5;

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void I64(int64_t v) {
    uint64_t u = static_cast<uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(u >> shift));
  }
  void Hash(HashKey key) {
    uint128 v = key.value();
    for (int shift = 120; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(v >> shift));
  }
  void String(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return at_ == in_.size(); }
  uint8_t U8() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(in_[at_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      uint8_t byte = static_cast<uint8_t>(in_[at_++]);
      v |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  int64_t I64() {
    if (!Need(8)) return 0;
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(in_[at_++]);
    return static_cast<int64_t>(u);
  }
  HashKey Hash() {
    if (!Need(16)) return HashKey();
    uint128 v = 0;
    for (int i = 0; i < 16; ++i) v = (v << 8) | static_cast<uint8_t>(in_[at_++]);
    return HashKey(v);
  }
  std::string String() {
    uint64_t n = Varint();
    if (!Need(n)) return {};
    std::string s(in_.substr(at_, n));
    at_ += n;
    return s;
  }

 private:
  bool Need(uint64_t n) {
    if (!ok_ || in_.size() - at_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view in_;
  size_t at_ = 0;
  bool ok_ = true;
};

// Shard flags. DO NOT RENUMBER.
constexpr uint8_t kHasParent = 1;
constexpr uint8_t kHasAdjacentParent = 2;
constexpr uint8_t kClosed = 4;

}  // namespace

std::string StreamMetaKey(const StreamAddress& address) {
  std::string key(kStreamKeyPrefix);
  key.append(address.account_id).append("/").append(address.region).append("/").append(address.name);
  return key;
}

std::string EncodeStreamState(const StreamState& s) {
  Writer w;
  w.U8(kFormatVersion);
  w.String(s.address.account_id);
  w.String(s.address.region);
  w.String(s.address.name);
  w.Varint(s.incarnation);
  w.U8(static_cast<uint8_t>(s.status));
  w.I64(s.created_ms);
  w.I64(s.transition_due_ms);
  w.U8(s.pending ? 1 : 0);
  if (s.pending) {
    w.U8(static_cast<uint8_t>(s.pending->kind));
    w.Varint(s.pending->shard);
    w.Varint(s.pending->adjacent_shard);
    w.Hash(s.pending->new_starting_hash_key);
  }
  w.Varint(static_cast<uint64_t>(s.retention_hours));
  w.Varint(s.tags.size());
  for (const auto& [key, value] : s.tags) {
    w.String(key);
    w.String(value);
  }
  w.Varint(s.shards.size());
  for (const ShardState& shard : s.shards) {
    uint8_t flags = (shard.parent ? kHasParent : 0) | (shard.adjacent_parent ? kHasAdjacentParent : 0) |
                    (shard.closed ? kClosed : 0);
    w.Varint(shard.index);
    w.U8(flags);
    if (shard.parent) w.Varint(*shard.parent);
    if (shard.adjacent_parent) w.Varint(*shard.adjacent_parent);
    w.Hash(shard.range.start);
    w.Hash(shard.range.end);
    w.Varint(shard.start_counter);
    w.I64(shard.created_ms);
    if (shard.closed) {
      w.Varint(shard.end_counter);
      w.I64(shard.closed_ms);
    }
  }
  w.Varint(s.shard_level_metrics);
  w.U8(s.encrypted ? 1 : 0);
  w.String(s.key_id);
  w.String(s.policy);
  w.U8(static_cast<uint8_t>(s.mode));
  w.Varint(s.max_record_size_kib);
  w.U8(s.warm ? 1 : 0);
  if (s.warm) {
    w.Varint(s.warm->target_mibps);
    w.Varint(s.warm->current_mibps);
  }
  w.Varint(s.mode_switches_ms.size());
  for (int64_t ms : s.mode_switches_ms) w.I64(ms);
  w.U8(static_cast<uint8_t>(s.distribution));
  return w.Take();
}

StatusOr<StreamState> DecodeStreamState(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version = r.U8();
  if (version < 1 || version > 5) return Status::StorageError("unknown stream metadata version");
  StreamState s;
  s.address.account_id = r.String();
  s.address.region = r.String();
  s.address.name = r.String();
  s.incarnation = r.Varint();
  uint8_t status = r.U8();
  if (status > static_cast<uint8_t>(StreamStatus::kUpdating)) {
    return Status::StorageError("corrupt stream metadata: status");
  }
  s.status = static_cast<StreamStatus>(status);
  s.created_ms = r.I64();
  s.transition_due_ms = r.I64();
  if (r.U8() == 1) {
    PendingReshard p;
    uint8_t kind = r.U8();
    bool known = kind == static_cast<uint8_t>(ReshardKind::kSplit) || kind == static_cast<uint8_t>(ReshardKind::kMerge) ||
                 (version >= 2 && kind == static_cast<uint8_t>(ReshardKind::kUniformScaling));
    if (!known) {
      return Status::StorageError("corrupt stream metadata: reshard kind");
    }
    p.kind = static_cast<ReshardKind>(kind);
    p.shard = static_cast<uint32_t>(r.Varint());
    p.adjacent_shard = static_cast<uint32_t>(r.Varint());
    p.new_starting_hash_key = r.Hash();
    s.pending = p;
  }
  s.retention_hours = static_cast<int32_t>(r.Varint());
  uint64_t tag_count = r.Varint();
  for (uint64_t i = 0; i < tag_count && r.ok(); ++i) {
    std::string key = r.String();
    s.tags[key] = r.String();
  }
  uint64_t shard_count = r.Varint();
  for (uint64_t i = 0; i < shard_count && r.ok(); ++i) {
    ShardState shard;
    shard.index = static_cast<uint32_t>(r.Varint());
    uint8_t flags = r.U8();
    if (flags & kHasParent) shard.parent = static_cast<uint32_t>(r.Varint());
    if (flags & kHasAdjacentParent) shard.adjacent_parent = static_cast<uint32_t>(r.Varint());
    shard.range.start = r.Hash();
    shard.range.end = r.Hash();
    shard.start_counter = r.Varint();
    shard.created_ms = r.I64();
    if (flags & kClosed) {
      shard.closed = true;
      shard.end_counter = r.Varint();
      shard.closed_ms = r.I64();
    }
    if (shard.index != s.shards.size()) return Status::StorageError("corrupt stream metadata: shard index");
    s.shards.push_back(shard);
  }
  if (version >= 2) {
    uint64_t metrics = r.Varint();
    if (metrics > kAllShardLevelMetrics) return Status::StorageError("corrupt stream metadata: metrics");
    s.shard_level_metrics = static_cast<uint32_t>(metrics);
    uint8_t encrypted = r.U8();
    if (encrypted > 1) return Status::StorageError("corrupt stream metadata: encryption");
    s.encrypted = encrypted == 1;
    s.key_id = r.String();
  }
  if (version >= 3) s.policy = r.String();
  if (version >= 4) {
    uint8_t mode = r.U8();
    if (mode > static_cast<uint8_t>(StreamMode::kOnDemand)) return Status::StorageError("corrupt stream metadata: mode");
    s.mode = static_cast<StreamMode>(mode);
    uint64_t kib = r.Varint();
    if (r.ok() && (kib < kDefaultMaxRecordSizeKiB || kib > kMaxMaxRecordSizeKiB)) {
      return Status::StorageError("corrupt stream metadata: max record size");
    }
    s.max_record_size_kib = static_cast<uint32_t>(kib);
    uint8_t has_warm = r.U8();
    if (has_warm > 1) return Status::StorageError("corrupt stream metadata: warm throughput");
    if (has_warm == 1) {
      WarmThroughput warm;
      warm.target_mibps = static_cast<uint32_t>(r.Varint());
      warm.current_mibps = static_cast<uint32_t>(r.Varint());
      s.warm = warm;
    }
    uint64_t switches = r.Varint();
    for (uint64_t i = 0; i < switches && r.ok(); ++i) s.mode_switches_ms.push_back(r.I64());
  }
  if (version >= 5) {
    uint8_t distribution = r.U8();
    if (distribution > static_cast<uint8_t>(RecordDistribution::kAuto)) {
      return Status::StorageError("corrupt stream metadata: record distribution");
    }
    s.distribution = static_cast<RecordDistribution>(distribution);
  }
  if (!r.ok() || !r.done()) return Status::StorageError("corrupt stream metadata");
  return s;
}

std::string ConsumerMetaKey(const StreamAddress& address, const std::string& consumer_name) {
  std::string key(kConsumerKeyPrefix);
  key.append(address.account_id).append("/").append(address.region).append("/").append(address.name);
  key.append("/").append(consumer_name);
  return key;
}

namespace {
// Version 1: the original layout. Version 2 (written now): version 1's
// fields, then the consumer's tags and resource policy (docs/storage-format.md).
constexpr uint8_t kConsumerFormatVersion = 2;
}  // namespace

std::string EncodeConsumerState(const ConsumerState& c) {
  Writer w;
  w.U8(kConsumerFormatVersion);
  w.Varint(c.incarnation);
  w.String(c.name);
  w.I64(c.created_ms);
  w.U8(static_cast<uint8_t>(c.status));
  w.I64(c.transition_due_ms);
  w.Varint(c.tags.size());
  for (const auto& [key, value] : c.tags) {
    w.String(key);
    w.String(value);
  }
  w.String(c.policy);
  return w.Take();
}

StatusOr<ConsumerState> DecodeConsumerState(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version = r.U8();
  if (version != 1 && version != 2) return Status::StorageError("unknown consumer metadata version");
  ConsumerState c;
  c.incarnation = r.Varint();
  c.name = r.String();
  c.created_ms = r.I64();
  uint8_t status = r.U8();
  if (status > static_cast<uint8_t>(ConsumerStatus::kActive)) {
    return Status::StorageError("corrupt consumer metadata: status");
  }
  c.status = static_cast<ConsumerStatus>(status);
  c.transition_due_ms = r.I64();
  if (version >= 2) {
    uint64_t tag_count = r.Varint();
    for (uint64_t i = 0; i < tag_count && r.ok(); ++i) {
      std::string key = r.String();
      c.tags[key] = r.String();
    }
    c.policy = r.String();
  }
  if (!r.ok() || !r.done()) return Status::StorageError("corrupt consumer metadata");
  return c;
}

std::string AccountSettingsKey(const std::string& account_id, const std::string& region) {
  std::string key(kAccountKeyPrefix);
  key.append(account_id).append("/").append(region).append("/settings");
  return key;
}

namespace {
constexpr uint8_t kAccountFormatVersion = 1;
}  // namespace

std::string EncodeAccountSettings(const AccountSettingsState& a) {
  Writer w;
  w.U8(kAccountFormatVersion);
  w.U8(static_cast<uint8_t>(a.status));
  w.I64(a.started_ms);
  w.I64(a.ended_ms);
  w.I64(a.earliest_end_ms);
  return w.Take();
}

StatusOr<AccountSettingsState> DecodeAccountSettings(std::string_view bytes) {
  Reader r(bytes);
  if (r.U8() != kAccountFormatVersion) return Status::StorageError("unknown account settings version");
  AccountSettingsState a;
  uint8_t status = r.U8();
  if (status > static_cast<uint8_t>(CommitmentStatus::kEnabledUntilEarliestAllowedEnd)) {
    return Status::StorageError("corrupt account settings: status");
  }
  a.status = static_cast<CommitmentStatus>(status);
  a.started_ms = r.I64();
  a.ended_ms = r.I64();
  a.earliest_end_ms = r.I64();
  if (!r.ok() || !r.done()) return Status::StorageError("corrupt account settings");
  return a;
}

std::string LeaseMetaKey(uint64_t incarnation, const std::string& consumer, int64_t created_ms, uint32_t shard) {
  std::string key(kLeaseKeyPrefix);
  key.append(std::to_string(incarnation)).append("/").append(consumer).append("/");
  key.append(std::to_string(created_ms)).append("/").append(std::to_string(shard));
  return key;
}

uint64_t LeaseIncarnation(std::string_view key) {
  if (key.substr(0, kLeaseKeyPrefix.size()) != kLeaseKeyPrefix) return 0;
  uint64_t value = 0;
  for (char c : key.substr(kLeaseKeyPrefix.size())) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

namespace {
constexpr uint8_t kLeaseVersion = 1;
}  // namespace

std::string EncodeLease(int64_t started_ms) {
  std::string out(1, static_cast<char>(kLeaseVersion));
  out += EncodeU64(static_cast<uint64_t>(started_ms));
  return out;
}

StatusOr<int64_t> DecodeLease(std::string_view bytes) {
  if (bytes.size() != 9 || static_cast<uint8_t>(bytes[0]) != kLeaseVersion) {
    return Status::StorageError("corrupt subscription lease");
  }
  auto value = DecodeU64(bytes.substr(1));
  if (!value.ok()) return value.status();
  return static_cast<int64_t>(*value);
}

std::string EncodeU64(uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

StatusOr<uint64_t> DecodeU64(std::string_view bytes) {
  if (bytes.size() != 8) return Status::StorageError("corrupt counter");
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

}  // namespace riffle::core
