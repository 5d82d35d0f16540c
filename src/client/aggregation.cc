// The KPL aggregated record format (riffle/kinesis/aggregation.h): the
// protobuf wire encoding of its two messages, by hand.
//
// Protobuf, as used here: a field is a key varint (field_number << 3 |
// wire_type) and a value; wire type 0 is a varint, 2 a length-delimited
// value (varint length, then bytes); 1 (8 bytes) and 5 (4 bytes) occur only
// in unknown fields, which a reader skips. Varints are little-endian base
// 128, at most 10 bytes.
#include "riffle/kinesis/aggregation.h"

#include "client/hash_key.h"

namespace riffle::kinesis {

namespace {

constexpr uint8_t kPartitionKeyTable = 1 << 3 | 2;     // AggregatedRecord.partition_key_table
constexpr uint8_t kExplicitHashKeyTable = 2 << 3 | 2;  // AggregatedRecord.explicit_hash_key_table
constexpr uint8_t kRecords = 3 << 3 | 2;               // AggregatedRecord.records
constexpr uint8_t kPartitionKeyIndex = 1 << 3 | 0;     // Record.partition_key_index
constexpr uint8_t kExplicitHashKeyIndex = 2 << 3 | 0;  // Record.explicit_hash_key_index
constexpr uint8_t kData = 3 << 3 | 2;                  // Record.data
constexpr size_t kMd5Bytes = 16;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Key, length and bytes of a length-delimited field.
size_t DelimitedSize(size_t length) { return 1 + VarintSize(length) + length; }

void PutDelimited(std::string& out, uint8_t key, std::string_view bytes) {
  out.push_back(static_cast<char>(key));
  PutVarint(out, bytes.size());
  out.append(bytes);
}

// Reads protobuf fields off a byte range; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool done() const { return rest_.empty(); }

  bool Varint(uint64_t* out) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) return false;
      const uint8_t byte = static_cast<uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        *out = value;
        return true;
      }
    }
    return false;  // more than 10 bytes
  }

  bool Delimited(std::string_view* out) {
    uint64_t length = 0;
    if (!Varint(&length) || length > rest_.size()) return false;
    *out = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return true;
  }

  // Skips the value of a field of `wire_type` (unknown fields).
  bool Skip(uint64_t wire_type) {
    uint64_t ignored;
    std::string_view bytes;
    switch (wire_type) {
      case 0: return Varint(&ignored);
      case 1: return Fixed(8);
      case 2: return Delimited(&bytes);
      case 5: return Fixed(4);
      default: return false;  // groups (3, 4) and invalid types
    }
  }

 private:
  bool Fixed(size_t n) {
    if (rest_.size() < n) return false;
    rest_.remove_prefix(n);
    return true;
  }
  std::string_view rest_;
};

Error Malformed(const std::string& why) {
  return Error(ErrorCode::kInvalidResponse, "not a KPL aggregated record: " + why);
}

struct ParsedRecord {
  std::optional<uint64_t> partition_key_index;
  std::optional<uint64_t> explicit_hash_key_index;
  std::optional<std::string_view> data;
};

bool ParseRecord(std::string_view bytes, ParsedRecord* out) {
  Reader r(bytes);
  while (!r.done()) {
    uint64_t key = 0;
    if (!r.Varint(&key)) return false;
    uint64_t value = 0;
    std::string_view data;
    if (key == kPartitionKeyIndex) {
      if (!r.Varint(&value)) return false;
      out->partition_key_index = value;
    } else if (key == kExplicitHashKeyIndex) {
      if (!r.Varint(&value)) return false;
      out->explicit_hash_key_index = value;
    } else if (key == kData) {
      if (!r.Delimited(&data)) return false;
      out->data = data;
    } else if ((key >> 3) == 0 || !r.Skip(key & 7)) {
      return false;  // field number 0 is invalid
    }
  }
  return true;
}

}  // namespace

size_t RecordAggregator::EntrySize(const Entry& entry) {
  size_t n = 1 + VarintSize(entry.partition_key_index);
  if (entry.explicit_hash_key_index) n += 1 + VarintSize(*entry.explicit_hash_key_index);
  n += DelimitedSize(entry.data.size());
  return n;
}

size_t RecordAggregator::AddedBytes(const UserRecord& record) const {
  size_t added = 0;
  Entry entry{partition_keys_.size(), std::nullopt, {}};
  if (auto it = partition_key_index_.find(record.partition_key); it != partition_key_index_.end()) {
    entry.partition_key_index = it->second;
  } else {
    added += DelimitedSize(record.partition_key.size());
  }
  if (record.explicit_hash_key) {
    entry.explicit_hash_key_index = explicit_hash_keys_.size();
    if (auto it = explicit_hash_key_index_.find(*record.explicit_hash_key); it != explicit_hash_key_index_.end()) {
      entry.explicit_hash_key_index = it->second;
    } else {
      added += DelimitedSize(record.explicit_hash_key->size());
    }
  }
  // The entry's size without copying the data: same as EntrySize.
  size_t entry_bytes = 1 + VarintSize(entry.partition_key_index) + DelimitedSize(record.data.size());
  if (entry.explicit_hash_key_index) entry_bytes += 1 + VarintSize(*entry.explicit_hash_key_index);
  return added + DelimitedSize(entry_bytes);
}

size_t RecordAggregator::SizeWith(const UserRecord& record) const {
  return kAggregatedMagic.size() + message_bytes_ + AddedBytes(record) + kMd5Bytes;
}

size_t RecordAggregator::size() const { return kAggregatedMagic.size() + message_bytes_ + kMd5Bytes; }

void RecordAggregator::Add(const UserRecord& record) {
  message_bytes_ += AddedBytes(record);
  Entry entry;
  auto [pk, pk_added] = partition_key_index_.try_emplace(record.partition_key, partition_keys_.size());
  if (pk_added) partition_keys_.push_back(record.partition_key);
  entry.partition_key_index = pk->second;
  if (record.explicit_hash_key) {
    auto [ehk, ehk_added] =
        explicit_hash_key_index_.try_emplace(*record.explicit_hash_key, explicit_hash_keys_.size());
    if (ehk_added) explicit_hash_keys_.push_back(*record.explicit_hash_key);
    entry.explicit_hash_key_index = ehk->second;
  }
  entry.data = record.data;
  records_.push_back(std::move(entry));
}

std::string RecordAggregator::Serialize() const {
  std::string out;
  out.reserve(size());
  out.append(kAggregatedMagic);
  for (const std::string& key : partition_keys_) PutDelimited(out, kPartitionKeyTable, key);
  for (const std::string& key : explicit_hash_keys_) PutDelimited(out, kExplicitHashKeyTable, key);
  for (const Entry& entry : records_) {
    out.push_back(static_cast<char>(kRecords));
    PutVarint(out, EntrySize(entry));
    out.push_back(static_cast<char>(kPartitionKeyIndex));
    PutVarint(out, entry.partition_key_index);
    if (entry.explicit_hash_key_index) {
      out.push_back(static_cast<char>(kExplicitHashKeyIndex));
      PutVarint(out, *entry.explicit_hash_key_index);
    }
    PutDelimited(out, kData, entry.data);
  }
  out.append(internal::Md5(std::string_view(out).substr(kAggregatedMagic.size())));
  return out;
}

void RecordAggregator::Clear() { *this = RecordAggregator(); }

Result<std::vector<DeaggregatedRecord>> DecodeAggregated(std::string_view data) {
  if (!data.starts_with(kAggregatedMagic)) return Malformed("no magic bytes");
  if (data.size() < kAggregatedMagic.size() + kMd5Bytes) return Malformed("too short for its MD5");
  std::string_view message = data.substr(kAggregatedMagic.size(), data.size() - kAggregatedMagic.size() - kMd5Bytes);
  if (internal::Md5(message) != data.substr(data.size() - kMd5Bytes)) return Malformed("MD5 mismatch");
  std::vector<std::string_view> partition_keys, explicit_hash_keys, records;
  Reader r(message);
  while (!r.done()) {
    uint64_t key = 0;
    std::string_view bytes;
    if (!r.Varint(&key)) return Malformed("truncated field key");
    if (key == kPartitionKeyTable || key == kExplicitHashKeyTable || key == kRecords) {
      if (!r.Delimited(&bytes)) return Malformed("truncated field");
      (key == kPartitionKeyTable ? partition_keys : key == kExplicitHashKeyTable ? explicit_hash_keys : records)
          .push_back(bytes);
    } else if ((key >> 3) == 0 || !r.Skip(key & 7)) {
      return Malformed("bad field");
    }
  }
  std::vector<DeaggregatedRecord> out;
  out.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    ParsedRecord parsed;
    if (!ParseRecord(records[i], &parsed)) return Malformed("bad record " + std::to_string(i));
    if (!parsed.partition_key_index || !parsed.data) {
      return Malformed("record " + std::to_string(i) + " lacks a required field");
    }
    if (*parsed.partition_key_index >= partition_keys.size()) {
      return Malformed("record " + std::to_string(i) + ": partition key index out of the table");
    }
    DeaggregatedRecord record;
    record.partition_key = std::string(partition_keys[*parsed.partition_key_index]);
    if (parsed.explicit_hash_key_index) {
      if (*parsed.explicit_hash_key_index >= explicit_hash_keys.size()) {
        return Malformed("record " + std::to_string(i) + ": explicit hash key index out of the table");
      }
      record.explicit_hash_key = std::string(explicit_hash_keys[*parsed.explicit_hash_key_index]);
    }
    record.data = std::string(*parsed.data);
    record.sub_sequence_number = i;
    out.push_back(std::move(record));
  }
  return out;
}

bool IsAggregated(std::string_view data) { return data.starts_with(kAggregatedMagic) && DecodeAggregated(data).ok(); }

std::vector<DeaggregatedRecord> Deaggregate(std::string_view data, std::string_view partition_key) {
  if (data.starts_with(kAggregatedMagic)) {
    auto records = DecodeAggregated(data);
    if (records.ok()) return std::move(records.value());
  }
  std::vector<DeaggregatedRecord> out(1);
  out[0].partition_key = std::string(partition_key);
  out[0].data = std::string(data);
  return out;
}

}  // namespace riffle::kinesis
