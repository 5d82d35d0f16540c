// Reading a JSON response body's top-level object with simdjson on-demand,
// shared by the request helpers of src/client (internal header).
#pragma once

#include <simdjson.h>

#include <optional>
#include <string_view>

namespace riffle::client::internal {

inline simdjson::ondemand::parser& JsonParser() {
  thread_local simdjson::ondemand::parser parser;
  return parser;
}

// Runs `fn(object)` on the body's top-level object; nullopt on any JSON error.
template <typename T, typename Fn>
std::optional<T> WithObject(std::string_view body, Fn&& fn) {
  simdjson::padded_string padded(body);
  try {
    simdjson::ondemand::document doc = JsonParser().iterate(padded);
    simdjson::ondemand::object object = doc.get_object();
    return fn(object);
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
}

}  // namespace riffle::client::internal
