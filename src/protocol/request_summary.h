// What an access log line says of a request and its answer, read from the
// JSON bodies (a CBOR body is transcoded to JSON first). Pure functions;
// malformed input gives "".
#pragma once

#include <string>
#include <string_view>

namespace riffle::protocol {

// The stream a request names: its StreamName, else the stream of its
// StreamARN, ConsumerARN or ResourceARN ("arn:...:stream/NAME[/...]").
std::string StreamOfRequest(std::string_view json_body);

// The error type of an error body: {"__type":"[namespace#]Type",...} -> "Type".
std::string ErrorTypeOf(std::string_view json_body);

}  // namespace riffle::protocol
