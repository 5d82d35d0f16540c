// The answer of JetStream's message-get API ("$JS.API.STREAM.MSG.GET.<stream>")
// to a request cnats has no call for (`next_by_subj`): the stream sequence of
// the message found, or the error code. Only these two fields are read.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace riffle::store::jetstream {

struct MsgGetReply {
  std::optional<uint64_t> seq;  // the message found
  int err_code = 0;             // JetStream's error code (10037: no message found)
};

// nullopt when `json` is neither a found message nor an error.
std::optional<MsgGetReply> ParseMsgGetReply(std::string_view json);

}  // namespace riffle::store::jetstream
