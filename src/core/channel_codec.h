// Encoding of ChannelState and ChannelPosition for the metadata keyspace,
// and their keys. Byte layout: docs/storage-format.md ("Channel record",
// "Channel delivery position"). DO NOT CHANGE the meaning of an encoded
// version; add a new version instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "core/channel_state.h"

namespace riffle::core {

inline constexpr std::string_view kChannelKeyPrefix = "channel/";
inline constexpr std::string_view kChannelPositionKeyPrefix = "channelpos/";

// "channel/<account>/<region>/<name>"; with an empty name, the prefix of the
// account's channels in the region.
std::string ChannelMetaKey(const std::string& account_id, const std::string& region, const std::string& name);
// "channelpos/<channel id>/<shard index>"; "channelpos/<channel id>/" for all.
std::string ChannelPositionKey(const std::string& channel_id, uint32_t shard_index);
std::string ChannelPositionPrefix(const std::string& channel_id);

std::string EncodeChannelState(const ChannelState& state);
StatusOr<ChannelState> DecodeChannelState(std::string_view bytes);
std::string EncodeChannelPosition(const ChannelPosition& position);
StatusOr<ChannelPosition> DecodeChannelPosition(std::string_view bytes);

}  // namespace riffle::core
