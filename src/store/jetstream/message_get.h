// One request to JetStream's message-get API ("$JS.API.STREAM.MSG.GET.<stream>"),
// which the stream's leader answers, read by hand (js_replies.h): for the
// requests cnats has no call for (`next_by_subj`) and for those whose payload
// is not wanted (cnats' js_GetMsg decodes the whole base64 payload).
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "store/jetstream/connection.h"
#include "store/jetstream/js_replies.h"

namespace riffle::store::jetstream {

// `request` is the API's JSON request (`{"seq":N}`, perhaps with
// `"next_by_subj"`). A found message, or "no message found" (no seq,
// err_code JSNoMessageFoundErr), is an answer; any other error answer is a
// Status (kUnavailable for 503, no responders or no answer within `wait_ms`),
// as is an answer not understood (kUnavailable). `what` names the request in
// messages.
StatusOr<MsgGetReply> RequestMessageGet(Connection& connection, const std::string& stream,
                                        const std::string& request, int64_t wait_ms, const std::string& what);

}  // namespace riffle::store::jetstream
