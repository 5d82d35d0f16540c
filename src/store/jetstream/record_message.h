// Record messages: how an append batch becomes JetStream messages and back
// (docs/storage-format.md, "Record messages"). The payload of a message is a
// record batch value (store/codec/batch_codec.h); a batch too large for one
// message, or of more than 65535 records, is split into consecutive chunks.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace riffle::store::jetstream {

// Room left in every message for its headers (NATS/1.0 line, Nats-Msg-Id).
inline constexpr int64_t kHeaderBudget = 256;

// The largest partition key + data of one record a message can carry when
// the servers take messages of at most `max_payload` bytes.
uint64_t MaxRecordBytesFor(int64_t max_payload);

// Entries [begin, end) of a batch, stored as one message.
struct Chunk {
  size_t begin = 0;
  size_t end = 0;
};

// The most entry bytes (EncodedEntrySize summed) one message's value holds.
uint64_t MaxValueBytesFor(int64_t max_payload);

// Splits `entries` into the fewest consecutive chunks whose values fit
// `max_payload` with the header budget and hold at most 65535 records.
// Fails with InvalidArgument when there is no entry or one record is larger
// than MaxRecordBytesFor(max_payload).
StatusOr<std::vector<Chunk>> SplitEntries(std::span<const AppendEntry> entries, int64_t max_payload);

// The records of one stored message (counter sequence `sequence`: its stream
// sequence plus the log's offset) with
// counter >= from, appended to `out` while they fit `limits` given what `out`
// already holds (the first record always fits an empty `out`). Returns the
// counter after the last record appended (`from` clamped to the message
// when none was), or StorageError for a corrupt payload. `*complete` tells
// whether the message's last record was reached; `*message_end` is one past
// its last counter. With an `owner` (what keeps `payload` alive), records
// view the payload and `out` keeps the owner; without, they are copied.
struct MessageRead {
  uint64_t next = 0;
  bool complete = false;
  uint64_t message_end = 0;
};
StatusOr<MessageRead> ReadMessage(uint64_t sequence, std::string_view payload, uint64_t from,
                                  const ReadLimits& limits, uint64_t* bytes_so_far, RecordsRead* out,
                                  const std::shared_ptr<const void>& owner = nullptr);

// Arrival time and record count of a stored message, without its records.
struct MessageHeader {
  int64_t arrival_ms = 0;
  uint32_t record_count = 0;
};
StatusOr<MessageHeader> PeekMessage(std::string_view payload);

}  // namespace riffle::store::jetstream
