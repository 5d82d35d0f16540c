// Internal to riffle_protocol (includes simdjson): the typed member readers
// used by the generated JSON decoders (wire_decode_*.cc). Each reader turns a
// JSON value into a model-typed optional and reports type mismatches with
// the SerializationException texts AWS (Coral, Java) returns:
//   String  <- bool   "class java.lang.Boolean can not be converted to an String"
//   String  <- number "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
//   Integer <- string "class java.lang.String can not be converted to an Integer" (Long: "an Long")
//   Boolean <- number "...TruncatingBigNumber can not be converted to an Boolean";
//   Boolean <- string "'<UPPERCASED>' can not be converted to an Boolean"
//   Blob    <- bool/number "... can not be converted to a Blob"; bad base64
//              "'<text>' can not be converted to a Blob: <detail>"
//   Timestamp <- bool/string "class java.lang.{Boolean,String} can not be converted to milliseconds since epoch"
//   any scalar <- array  "Start of list found where not expected"
//   any scalar <- object "Start of structure or map found where not expected."
//   list <- scalar "Expected list or null"; map <- scalar "Expected map or null";
//   structure <- scalar "Expected null".
// JSON null always means "absent" (the optional is reset).
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/api_error.h"
#include "protocol/api_result.h"

namespace riffle::protocol::json_internal {

using Element = simdjson::dom::element;
using MaybeError = std::optional<ApiError>;

MaybeError ReadString(Element e, std::optional<std::string>& out);
MaybeError ReadInteger(Element e, std::optional<int64_t>& out);  // Java int: floor, clamp to int32
MaybeError ReadLong(Element e, std::optional<int64_t>& out);     // Java long: floor, clamp to int64
MaybeError ReadBoolean(Element e, std::optional<bool>& out);
MaybeError ReadTimestamp(Element e, std::optional<double>& out);  // epoch seconds (number only)
MaybeError ReadBlob(Element e, std::optional<std::string>& out);  // base64 -> bytes

// Container shape checks for a non-null value.
MaybeError ExpectList(Element e);
MaybeError ExpectMap(Element e);
MaybeError ExpectStructure(Element e);

// A map<string,string> member, input order kept; null values are dropped.
MaybeError ReadStringMap(Element e,
                         std::optional<std::vector<std::pair<std::string, std::string>>>& out);

// Parses `body` with a thread-local parser and hands the top-level object to
// `decode_object(Element) -> MaybeError`. A body that is empty, not JSON, or
// not a JSON object yields a SerializationException with an empty message
// (AWS answers such bodies with {"__type":"SerializationException"}).
Element ParseBody(std::string_view body, bool* ok);

template <typename T, typename DecodeFn>
ApiResult<T> DecodeBody(std::string_view body, DecodeFn decode_object) {
  bool ok = false;
  Element root = ParseBody(body, &ok);
  if (!ok) return ApiError::Serialization("");
  T out{};
  if (MaybeError err = decode_object(root, out)) return std::move(*err);
  return out;
}

}  // namespace riffle::protocol::json_internal
