// The application/x-amz-cbor-1.1 protocol as a shape-aware transcoder
// between CBOR bodies and the JSON (awsJson1_1) bodies handlers speak, so
// both protocols share one decoder, one set of validators and one encoder.
// docs/cbor.md describes the mapping and its limits.
//
// Requests (CborRequestToJson): the body must be exactly one CBOR data item,
// a map (tags before it are ignored). Byte strings become base64 strings
// (in a member that is not a blob: `{}`, which the decoder rejects);
// for a timestamp member a number (tag 1 or not) is epoch MILLISECONDS, as
// the AWS SDKs write it, and becomes JSON epoch seconds; other tags are
// ignored; null and undefined become null. Everything else maps to its JSON
// equivalent, so wrong types reach the JSON decoder and get the same
// SerializationException texts as over JSON. Malformed or truncated CBOR,
// trailing bytes, a top level that is not a map, non-text map keys,
// invalid UTF-8 text, non-finite floats, unassigned simple values, nesting
// deeper than kMaxCborDepth: ApiError::Serialization("") (AWS's
// {"__type":"SerializationException"}).
//
// Responses (JsonResponseToCbor): the handler's JSON, walked with the
// operation's output shape: blob members (base64) become byte strings,
// timestamp members (epoch seconds) become tag 1 + integer epoch
// milliseconds; the rest maps one to one.
#pragma once

#include <string>
#include <string_view>

#include "protocol/api_result.h"
#include "protocol/shape_table.h"

namespace riffle::protocol {

// Containers (maps, arrays) and tags nested deeper than this are rejected.
// Kinesis inputs nest at most 4 levels; the bound protects the stack.
inline constexpr int kMaxCborDepth = 64;

// `shape`: the operation's input shape, or nullptr to transcode without one
// (no member is a timestamp then; used to check the body of an unknown
// operation).
ApiResult<std::string> CborRequestToJson(std::string_view cbor, const Shape* shape);

// `shape`: the operation's output shape (nullptr: no shape-driven mapping).
// REQUIRES: `json` is a JSON object as the generated encoders write it;
// otherwise an InternalFailure.
ApiResult<std::string> JsonResponseToCbor(std::string_view json, const Shape* shape);

}  // namespace riffle::protocol
