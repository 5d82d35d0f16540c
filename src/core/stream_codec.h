// Encoding of StreamState for the store's metadata keyspace, and the
// metadata keys core uses. Byte layout: docs/storage-format.md ("Stream
// metadata"). DO NOT CHANGE the meaning of an encoded version; add a new
// version instead.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "core/stream_state.h"

namespace riffle::core {

// Metadata keys.
inline constexpr std::string_view kStreamKeyPrefix = "stream/";
inline constexpr std::string_view kNextIncarnationKey = "global/next_incarnation";
inline constexpr std::string_view kIteratorSecretKey = "global/iterator_secret";
inline constexpr std::string_view kConsumerKeyPrefix = "consumer/";
inline constexpr std::string_view kAccountKeyPrefix = "account/";
// Present once every shard of every stream has a log in the store
// (docs/storage-format.md "Core metadata"); stores from before logs are
// adopted at start-up, then it is written.
inline constexpr std::string_view kStoreLogsKey = "global/store_logs";
// Ephemeral keys (store::MetaWrite::ephemeral): SubscribeToShard leases.
inline constexpr std::string_view kLeaseKeyPrefix = "lease/";

// "stream/<account>/<region>/<name>"
std::string StreamMetaKey(const StreamAddress& address);

// "consumer/<account>/<region>/<stream>/<consumer>"
std::string ConsumerMetaKey(const StreamAddress& address, const std::string& consumer_name);

// "account/<account>/<region>/settings"
std::string AccountSettingsKey(const std::string& account_id, const std::string& region);

std::string EncodeStreamState(const StreamState& state);
std::string EncodeAccountSettings(const AccountSettingsState& state);
StatusOr<AccountSettingsState> DecodeAccountSettings(std::string_view bytes);
std::string EncodeConsumerState(const ConsumerState& state);
StatusOr<ConsumerState> DecodeConsumerState(std::string_view bytes);
StatusOr<StreamState> DecodeStreamState(std::string_view bytes);

// "lease/<incarnation>/<consumer>/<consumer created_ms>/<shard index>"
std::string LeaseMetaKey(uint64_t incarnation, const std::string& consumer, int64_t created_ms, uint32_t shard);
// The incarnation a lease key names (0 if it names none).
uint64_t LeaseIncarnation(std::string_view key);
// A lease's value: when its subscription started.
std::string EncodeLease(int64_t started_ms);
StatusOr<int64_t> DecodeLease(std::string_view bytes);

std::string EncodeU64(uint64_t value);             // 8 bytes big-endian
StatusOr<uint64_t> DecodeU64(std::string_view bytes);

}  // namespace riffle::core
