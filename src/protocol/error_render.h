// Rendering of API errors: the single place that turns an ApiError into a
// response body, `{"__type":"<type>","message":"<text>"}` (message omitted
// when empty; the key is "Message" for SerializationException, as Coral
// writes it) — as JSON, or as the same map in CBOR for
// application/x-amz-cbor-1.1 requests.
#pragma once

#include <string>

#include "protocol/api_error.h"

namespace riffle::protocol {

std::string RenderErrorJson(const ApiError& error);
std::string RenderErrorCbor(const ApiError& error);

// Appends `text` to `out` as a JSON string literal (with quotes).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace riffle::protocol
