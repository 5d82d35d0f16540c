#include "store/codec/batch_codec.h"

#include <limits>

#include "store/codec/checksum.h"
#include "store/codec/fixed.h"
#include "store/codec/varint.h"

namespace riffle::store::codec {

size_t EncodedEntrySize(const AppendEntry& e) {
  return Varint32Size(static_cast<uint32_t>(e.partition_key.size())) + e.partition_key.size() +
         Varint32Size(static_cast<uint32_t>(e.data.size())) + e.data.size();
}

size_t EncodedBatchSize(std::span<const AppendEntry> entries) {
  size_t n = 1 + 8 + Varint32Size(static_cast<uint32_t>(entries.size())) + 4;
  for (const AppendEntry& e : entries) n += EncodedEntrySize(e);
  return n;
}

Status EncodeBatch(int64_t arrival_ms, std::span<const AppendEntry> entries, std::string* out) {
  return EncodeBatchParts(arrival_ms, std::span(&entries, 1), out);
}

Status EncodeBatchParts(int64_t arrival_ms, std::span<const std::span<const AppendEntry>> parts, std::string* out) {
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  uint64_t count = 0;
  size_t size = 1 + 8 + 4;
  for (std::span<const AppendEntry> entries : parts) {
    count += entries.size();
    for (const AppendEntry& e : entries) {
      if (e.partition_key.size() > kMax32 || e.data.size() > kMax32) {
        return Status::InvalidArgument("record too large");
      }
      size += EncodedEntrySize(e);
    }
  }
  if (count == 0) return Status::InvalidArgument("append batch has no records");
  if (count > kMax32) return Status::InvalidArgument("append batch too large");
  const size_t start = out->size();
  out->reserve(start + size + Varint32Size(static_cast<uint32_t>(count)));
  out->push_back(static_cast<char>(kBatchFormatV1));
  PutFixed64BE(out, static_cast<uint64_t>(arrival_ms));
  PutVarint32(out, static_cast<uint32_t>(count));
  for (std::span<const AppendEntry> entries : parts) {
    for (const AppendEntry& e : entries) {
      PutVarint32(out, static_cast<uint32_t>(e.partition_key.size()));
      out->append(e.partition_key);
      PutVarint32(out, static_cast<uint32_t>(e.data.size()));
      out->append(e.data);
    }
  }
  uint32_t crc = Crc32c(std::string_view(*out).substr(start));
  PutFixed32BE(out, crc);
  return Status::Ok();
}

Status BatchReader::Init(std::string_view value) {
  rest_ = {};
  record_count_ = 0;
  read_ = 0;
  status_ = Status::Ok();
  if (value.size() < kMinBatchValueSize) {
    Fail("value too short");
    return status_;
  }
  if (static_cast<uint8_t>(value[0]) != kBatchFormatV1) {
    status_ = Status::StorageError("corrupt record batch: unknown format version " +
                                   std::to_string(static_cast<uint8_t>(value[0])));
    return status_;
  }
  std::string_view body = value.substr(0, value.size() - 4);
  uint32_t stored_crc = DecodeFixed32BE(value.data() + body.size());
  if (Crc32c(body) != stored_crc) {
    Fail("checksum mismatch");
    return status_;
  }
  arrival_ms_ = static_cast<int64_t>(DecodeFixed64BE(body.data() + 1));
  body.remove_prefix(9);
  if (!GetVarint32(&body, &record_count_) || record_count_ == 0) {
    Fail("bad record count");
    return status_;
  }
  rest_ = body;
  return status_;
}

bool BatchReader::Next(std::string_view* partition_key, std::string_view* data) {
  if (!status_.ok() || read_ >= record_count_) {
    if (status_.ok() && !rest_.empty()) return Fail("trailing bytes");
    return false;
  }
  uint32_t len = 0;
  if (!GetVarint32(&rest_, &len) || len > rest_.size()) return Fail("bad partition key length");
  *partition_key = rest_.substr(0, len);
  rest_.remove_prefix(len);
  if (!GetVarint32(&rest_, &len) || len > rest_.size()) return Fail("bad data length");
  *data = rest_.substr(0, len);
  rest_.remove_prefix(len);
  ++read_;
  return true;
}

bool BatchReader::Fail(const char* what) {
  status_ = Status::StorageError(std::string("corrupt record batch: ") + what);
  rest_ = {};
  return false;
}

}  // namespace riffle::store::codec
