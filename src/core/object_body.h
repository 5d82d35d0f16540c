// The body of a channel's S3 object: its records in order, as the channel's
// record format says (BYTE_ARRAY: the data as is, one after another; JSON and
// STRING: each record's data followed by a newline), then compressed whole
// (GZIP: one gzip member; ZSTD: one zstd frame). docs/channels.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/channel_state.h"

namespace riffle::core {

std::string JoinRecords(const std::vector<std::string_view>& records, RecordFormat format);
StatusOr<std::string> Compress(std::string_view bytes, ObjectCompression compression);
// The inverse of Compress (tests and tools).
StatusOr<std::string> Decompress(std::string_view bytes, ObjectCompression compression);

}  // namespace riffle::core
