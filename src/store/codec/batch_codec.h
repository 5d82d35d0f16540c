// Record batch values: the byte encoding of one AppendBatch, shared by the
// RocksDB store (the value under a records-CF key) and the JetStream store
// (the payload of a record message). Format: docs/storage-format.md,
// "records: record batches".
//
// A value carries a format version byte and ends with a CRC32C of everything
// before it, so a corrupt value is reported (StorageError), never returned.
// EncodeBatch is a pure function; a BatchReader is a cursor over one value
// that it does not own (thread-compatible: one thread at a time).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::codec {

// Record batch value format version. Persisted: never change the meaning of
// a released value; a new layout gets a new number and readers keep reading
// the old ones.
inline constexpr uint8_t kBatchFormatV1 = 1;

// version (1) + arrival_ms (8) + record count (>= 1 byte) + CRC32C (4).
inline constexpr size_t kMinBatchValueSize = 1 + 8 + 1 + 4;

// Appends the value encoding of records `entries` arriving at `arrival_ms`
// (counters and shard are kept by the store, not in the value) to `*out`.
// Fails with InvalidArgument if there is no entry or one is too large to
// encode.
Status EncodeBatch(int64_t arrival_ms, std::span<const AppendEntry> entries, std::string* out);
// The same for the records of several entry lists, one after another, in one
// value (the first record of parts[1] follows the last of parts[0]).
Status EncodeBatchParts(int64_t arrival_ms, std::span<const std::span<const AppendEntry>> parts, std::string* out);
inline Status EncodeBatch(const AppendBatch& batch, std::string* out) {
  return EncodeBatch(batch.arrival_ms, batch.entries, out);
}

// Number of bytes EncodeBatch appends.
size_t EncodedBatchSize(std::span<const AppendEntry> entries);
inline size_t EncodedBatchSize(const AppendBatch& batch) { return EncodedBatchSize(batch.entries); }

// Bytes one entry adds to a value (its two lengths and its bytes).
size_t EncodedEntrySize(const AppendEntry& entry);

class BatchReader {
 public:
  BatchReader() = default;

  // Checks the format byte, the checksum and the header of `value`, which
  // must outlive the reader. Returns StorageError on corruption.
  Status Init(std::string_view value);

  int64_t arrival_ms() const { return arrival_ms_; }
  uint32_t record_count() const { return record_count_; }

  // Reads the next record (views into the value). Returns false once every
  // record was read, or on corruption; then status() tells which.
  bool Next(std::string_view* partition_key, std::string_view* data);

  // Skips the next record without looking at its bytes.
  bool Skip() {
    std::string_view pk, data;
    return Next(&pk, &data);
  }

  const Status& status() const { return status_; }

 private:
  bool Fail(const char* what);

  std::string_view rest_;  // records not read yet (checksum excluded)
  int64_t arrival_ms_ = 0;
  uint32_t record_count_ = 0;
  uint32_t read_ = 0;
  Status status_;
};

}  // namespace riffle::store::codec
