// The output key template of a channel's S3 objects (OutputKeyTemplate), as
// the Kinesis developer guide documents it: literal text and !{...} variables
// (channel-name, channel-id, stream-name, yyyy, yy, MM, dd, HH, mm, and a
// final !{extension} or !{extension:.literal}). Validated at CreateChannel;
// expanded per object with the time of the object's first record (UTC), and
// a unique suffix inserted before the extension (docs/channels.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "core/channel_state.h"

namespace riffle::core {

inline constexpr std::string_view kDefaultKeyTemplate =
    "kinesis-channel/!{channel-name}/!{channel-id}/!{yyyy}/!{MM}/!{dd}/!{HH}/"
    "!{channel-name}-!{channel-id}-!{yyyy}-!{MM}-!{dd}-!{HH}-!{mm}!{extension}";

// Longest expanded template: S3 keys are at most 1024 bytes and the unique
// suffix takes up to 38.
inline constexpr size_t kMaxExpandedKeyBytes = 986;

// InvalidArgument with the reason when `key_template` breaks a rule.
Status ValidateKeyTemplate(std::string_view key_template, ObjectCompression compression);

struct KeyValues {
  std::string channel_name;
  std::string channel_id;
  std::string stream_name;
  int64_t time_ms = 0;  // the object's first record's arrival
  ObjectCompression compression = ObjectCompression::kNone;
  std::string unique_suffix;  // inserted before the extension (or at the end)
};

// The object key. REQUIRES: ValidateKeyTemplate(key_template) is OK.
std::string ExpandKeyTemplate(std::string_view key_template, const KeyValues& values);

// ".gz", ".zst" or "".
std::string_view CompressionExtension(ObjectCompression compression);

}  // namespace riffle::core
