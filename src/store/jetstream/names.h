// Names of everything the JetStream store keeps in NATS: log streams and
// their subjects, tick subjects, metadata buckets, and the bijective encoding
// of metadata keys into NATS KV keys. Persisted; docs/storage-format.md,
// "JetStream layout". Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace riffle::store::jetstream {

// True when `prefix` may prefix stream names and subjects ([a-zA-Z0-9_-]+).
bool ValidPrefix(std::string_view prefix);

// `<prefix>-log-<incarnation>-<shard>`.
std::string LogStreamName(std::string_view prefix, ShardKey shard);
// The shard of a log stream name of this prefix, or nullopt for any other name.
std::optional<ShardKey> ParseLogStreamName(std::string_view prefix, std::string_view name);
// `<prefix>.log.<incarnation>.<shard>`.
std::string LogSubject(std::string_view prefix, ShardKey shard);
// `<prefix>.log.<incarnation>.<shard>.end`: the subject of a log's end
// marker (docs/storage-format.md).
std::string LogEndSubject(std::string_view prefix, ShardKey shard);
// True for the subject of an end marker (a record subject ends in a number).
bool IsLogEndSubject(std::string_view subject);
// The end marker's Nats-Msg-Id.
inline constexpr char kLogEndMsgId[] = "riffle-end";
// `<prefix>.tick.<incarnation>.<shard>` (core NATS, not persisted).
std::string TickSubject(std::string_view prefix, ShardKey shard);
// `_INBOX.riffle-acks.<prefix>` (core NATS, not persisted): the inbox prefix
// of the connections that publish record messages, so that every node sees
// their acknowledgements (end_fences.h).
std::string AckInboxPrefix(std::string_view prefix);
// The shard named by a subject's last two tokens (`....<incarnation>.<shard>`).
std::optional<ShardKey> ParseShardTokens(std::string_view subject);
// `<prefix>.usage` (core NATS, not persisted): Store::ShareUsage reports.
std::string UsageSubject(std::string_view prefix);

// Metadata buckets: `<prefix>-meta` and `<prefix>-lease`.
std::string MetaBucket(std::string_view prefix, bool ephemeral);
// The JetStream stream behind a KV bucket: `KV_<bucket>`.
std::string KvStreamName(std::string_view bucket);
// `$KV.<bucket>.<EncodeKey(key)>`.
std::string KvSubject(std::string_view bucket, std::string_view key);

// The NATS KV key of a metadata key: [-/_a-zA-Z0-9] kept, every other byte
// `=XX` (upper-case hex), the empty key `=`.
std::string EncodeKey(std::string_view key);
// The inverse of EncodeKey; nullopt for a string EncodeKey cannot produce.
std::optional<std::string> DecodeKey(std::string_view encoded);

// The log's description: `riffle log v1 first_counter=<F>`, and ` end=<E>`
// once TrimBefore purged the log's last message (E: one past its last
// counter, which the stream no longer holds).
struct LogDescriptionFields {
  uint64_t first_counter = 1;
  std::optional<uint64_t> end;
};
std::string LogDescription(const LogDescriptionFields& fields);
std::optional<LogDescriptionFields> ParseLogDescription(std::string_view description);

// Counters: (stream sequence << 16) | index of the record in its message.
inline constexpr int kIndexBits = 16;
inline constexpr uint32_t kMaxRecordsPerMessage = (1u << kIndexBits) - 1;
inline uint64_t CounterOf(uint64_t sequence, uint32_t index) { return (sequence << kIndexBits) | index; }
inline uint64_t SequenceOf(uint64_t counter) { return counter >> kIndexBits; }
inline uint32_t IndexOf(uint64_t counter) { return static_cast<uint32_t>(counter & kMaxRecordsPerMessage); }
// The first counter sequence whose counters are all >= first_counter (>= 1).
uint64_t FirstSequenceFor(uint64_t first_counter);
// A log's offset: its stream sequence S holds counter sequence S + offset,
// so that stream sequence 1 holds FirstSequenceFor(first_counter).
inline uint64_t OffsetFor(uint64_t first_counter) { return FirstSequenceFor(first_counter) - 1; }
// The stream sequence holding `counter` in a log of `offset` (1 when the
// counter lies before the log's first).
inline uint64_t StreamSequenceOf(uint64_t offset, uint64_t counter) {
  const uint64_t seq = SequenceOf(counter);
  return seq > offset ? seq - offset : 1;
}

}  // namespace riffle::store::jetstream
