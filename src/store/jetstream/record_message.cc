#include "store/jetstream/record_message.h"

#include <algorithm>

#include "store/codec/batch_codec.h"
#include "store/codec/varint.h"
#include "store/jetstream/names.h"

namespace riffle::store::jetstream {
namespace {

// version + arrival + count varint + CRC32C.
constexpr uint64_t kValueOverhead = 1 + 8 + codec::kMaxVarint32Bytes + 4;
// The two length varints of one record.
constexpr uint64_t kEntryOverhead = 2 * codec::kMaxVarint32Bytes;

}  // namespace

uint64_t MaxRecordBytesFor(int64_t max_payload) {
  const auto budget = static_cast<uint64_t>(max_payload - kHeaderBudget);
  return budget - kValueOverhead - kEntryOverhead;
}

uint64_t MaxValueBytesFor(int64_t max_payload) {
  return static_cast<uint64_t>(max_payload - kHeaderBudget) - kValueOverhead;
}

StatusOr<std::vector<Chunk>> SplitEntries(std::span<const AppendEntry> entries, int64_t max_payload) {
  if (entries.empty()) return Status::InvalidArgument("append batch has no records");
  const uint64_t max_value = MaxValueBytesFor(max_payload);
  const uint64_t max_record = MaxRecordBytesFor(max_payload);
  std::vector<Chunk> chunks;
  Chunk current;
  uint64_t size = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const AppendEntry& e = entries[i];
    if (e.partition_key.size() + e.data.size() > max_record) {
      return Status::InvalidArgument("record of " + std::to_string(e.partition_key.size() + e.data.size()) +
                                     " bytes is larger than the store's limit of " + std::to_string(max_record));
    }
    const uint64_t entry = codec::EncodedEntrySize(e);
    if (current.end > current.begin &&
        (size + entry > max_value || current.end - current.begin >= kMaxRecordsPerMessage)) {
      chunks.push_back(current);
      current = {i, i};
      size = 0;
    }
    size += entry;
    current.end = i + 1;
  }
  chunks.push_back(current);
  return chunks;
}

StatusOr<MessageRead> ReadMessage(uint64_t sequence, std::string_view payload, uint64_t from,
                                  const ReadLimits& limits, uint64_t* bytes_so_far, RecordsRead* out,
                                  const std::shared_ptr<const void>& owner) {
  codec::BatchReader reader;
  RIFFLE_RETURN_IF_ERROR(reader.Init(payload));
  MessageRead result;
  const uint64_t base = CounterOf(sequence, 0);
  result.message_end = base + reader.record_count();
  result.next = std::max(from, base);
  std::string_view key, data;
  bool kept = false;
  for (uint32_t i = 0; i < reader.record_count(); ++i) {
    if (!reader.Next(&key, &data)) break;
    const uint64_t counter = base + i;
    if (counter < from) continue;
    const uint64_t size = key.size() + data.size();
    if (!out->empty() && (out->size() >= limits.max_records || *bytes_so_far + size > limits.max_bytes)) {
      return result;  // stopped before `counter`
    }
    if (owner == nullptr) {
      out->Add(counter, reader.arrival_ms(), key, data);
    } else {
      if (!kept) out->bytes.Keep(owner);
      kept = true;
      out->AddView(counter, reader.arrival_ms(), key, data);
    }
    *bytes_so_far += size;
    result.next = counter + 1;
  }
  RIFFLE_RETURN_IF_ERROR(reader.status());
  result.complete = true;
  result.next = std::max(result.next, result.message_end);
  return result;
}

StatusOr<MessageHeader> PeekMessage(std::string_view payload) {
  codec::BatchReader reader;
  RIFFLE_RETURN_IF_ERROR(reader.Init(payload));
  return MessageHeader{reader.arrival_ms(), reader.record_count()};
}

}  // namespace riffle::store::jetstream
