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

// "stream/<account>/<region>/<name>"
std::string StreamMetaKey(const StreamAddress& address);

// "consumer/<account>/<region>/<stream>/<consumer>"
std::string ConsumerMetaKey(const StreamAddress& address, const std::string& consumer_name);

std::string EncodeStreamState(const StreamState& state);
std::string EncodeConsumerState(const ConsumerState& state);
StatusOr<ConsumerState> DecodeConsumerState(std::string_view bytes);
StatusOr<StreamState> DecodeStreamState(std::string_view bytes);

std::string EncodeU64(uint64_t value);             // 8 bytes big-endian
StatusOr<uint64_t> DecodeU64(std::string_view bytes);

}  // namespace riffle::core
