#include "protocol/json_decode_util.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>

#include "protocol/base64.h"

namespace riffle::protocol::json_internal {
namespace {

using simdjson::dom::element_type;

constexpr const char kTruncating[] = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";

ApiError TypeError(std::string message) { return ApiError::Serialization(std::move(message)); }

// The error for a container value where a scalar was expected, if any.
MaybeError ContainerError(element_type t) {
  if (t == element_type::ARRAY) return TypeError("Start of list found where not expected");
  if (t == element_type::OBJECT) return TypeError("Start of structure or map found where not expected.");
  return std::nullopt;
}

bool IsNumber(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

// Java-style integral conversion of a JSON number: floor, then clamp.
int64_t ToIntegral(Element e, int64_t lo, int64_t hi) {
  switch (e.type()) {
    case element_type::INT64: {
      int64_t v = e.get_int64().value_unsafe();
      return v < lo ? lo : v > hi ? hi : v;
    }
    case element_type::UINT64:
      return hi;  // > INT64_MAX
    default: {
      double d = std::floor(e.get_double().value_unsafe());
      if (!(d >= static_cast<double>(lo))) return lo;  // also NaN
      if (d >= static_cast<double>(hi)) return hi;
      return static_cast<int64_t>(d);
    }
  }
}

MaybeError ReadIntegral(Element e, std::optional<int64_t>& out, int64_t lo, int64_t hi,
                        const char* java_type) {
  element_type t = e.type();
  if (t == element_type::NULL_VALUE) {
    out.reset();
    return std::nullopt;
  }
  if (IsNumber(t)) {
    out = ToIntegral(e, lo, hi);
    return std::nullopt;
  }
  if (t == element_type::STRING) {
    return TypeError(std::string("class java.lang.String can not be converted to an ") + java_type);
  }
  if (t == element_type::BOOL) {
    return TypeError(std::string("class java.lang.Boolean can not be converted to an ") + java_type);
  }
  return ContainerError(t);
}

}  // namespace

MaybeError ReadString(Element e, std::optional<std::string>& out) {
  switch (e.type()) {
    case element_type::STRING:
      out.emplace(e.get_string().value_unsafe());
      return std::nullopt;
    case element_type::NULL_VALUE:
      out.reset();
      return std::nullopt;
    case element_type::BOOL:
      return TypeError("class java.lang.Boolean can not be converted to an String");
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return TypeError(std::string(kTruncating) + " can not be converted to an String");
    default:
      return ContainerError(e.type());
  }
}

MaybeError ReadInteger(Element e, std::optional<int64_t>& out) {
  return ReadIntegral(e, out, std::numeric_limits<int32_t>::min(),
                      std::numeric_limits<int32_t>::max(), "Integer");
}

MaybeError ReadLong(Element e, std::optional<int64_t>& out) {
  return ReadIntegral(e, out, std::numeric_limits<int64_t>::min(),
                      std::numeric_limits<int64_t>::max(), "Long");
}

MaybeError ReadBoolean(Element e, std::optional<bool>& out) {
  element_type t = e.type();
  switch (t) {
    case element_type::BOOL:
      out = e.get_bool().value_unsafe();
      return std::nullopt;
    case element_type::NULL_VALUE:
      out.reset();
      return std::nullopt;
    case element_type::STRING: {
      std::string upper(e.get_string().value_unsafe());
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper == "TRUE" || upper == "YES" || upper == "1") {
        out = true;
        return std::nullopt;
      }
      if (upper == "FALSE" || upper == "NO" || upper == "0") {
        out = false;
        return std::nullopt;
      }
      return TypeError("'" + upper + "' can not be converted to an Boolean");
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return TypeError(std::string(kTruncating) + " can not be converted to an Boolean");
    default:
      return ContainerError(t);
  }
}

MaybeError ReadTimestamp(Element e, std::optional<double>& out) {
  element_type t = e.type();
  switch (t) {
    case element_type::INT64:
      out = static_cast<double>(e.get_int64().value_unsafe());
      return std::nullopt;
    case element_type::UINT64:
      out = static_cast<double>(e.get_uint64().value_unsafe());
      return std::nullopt;
    case element_type::DOUBLE:
      out = e.get_double().value_unsafe();
      return std::nullopt;
    case element_type::NULL_VALUE:
      out.reset();
      return std::nullopt;
    case element_type::STRING:
      return TypeError("class java.lang.String can not be converted to milliseconds since epoch");
    case element_type::BOOL:
      return TypeError("class java.lang.Boolean can not be converted to milliseconds since epoch");
    default:
      return ContainerError(t);
  }
}

MaybeError ReadBlob(Element e, std::optional<std::string>& out) {
  element_type t = e.type();
  switch (t) {
    case element_type::STRING: {
      std::string_view text = e.get_string().value_unsafe();
      std::optional<std::string> bytes = Base64Decode(text);
      if (!bytes) {
        return TypeError("'" + std::string(text) + "' can not be converted to a Blob: " +
                         Base64DecodeErrorDetail(text));
      }
      out = std::move(bytes);
      return std::nullopt;
    }
    case element_type::NULL_VALUE:
      out.reset();
      return std::nullopt;
    case element_type::BOOL:
      return TypeError("class java.lang.Boolean can not be converted to a Blob");
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return TypeError(std::string(kTruncating) + " can not be converted to a Blob");
    default:
      return ContainerError(t);
  }
}

MaybeError ExpectList(Element e) {
  element_type t = e.type();
  if (t == element_type::ARRAY) return std::nullopt;
  if (t == element_type::OBJECT) return TypeError("Start of structure or map found where not expected.");
  return TypeError("Expected list or null");
}

MaybeError ExpectMap(Element e) {
  element_type t = e.type();
  if (t == element_type::OBJECT) return std::nullopt;
  if (t == element_type::ARRAY) return TypeError("Start of list found where not expected");
  return TypeError("Expected map or null");
}

MaybeError ExpectStructure(Element e) {
  element_type t = e.type();
  if (t == element_type::OBJECT) return std::nullopt;
  if (t == element_type::ARRAY) return TypeError("Start of list found where not expected");
  return TypeError("Expected null");
}

MaybeError ReadStringMap(Element e,
                         std::optional<std::vector<std::pair<std::string, std::string>>>& out) {
  if (e.is_null()) {
    out.reset();
    return std::nullopt;
  }
  if (MaybeError err = ExpectMap(e)) return err;
  auto& entries = out.emplace();
  simdjson::dom::object object = e.get_object().value_unsafe();
  for (auto field : object) {
    std::optional<std::string> value;
    if (MaybeError err = ReadString(field.value, value)) return err;
    if (value) entries.emplace_back(std::string(field.key), std::move(*value));
  }
  return std::nullopt;
}

Element ParseBody(std::string_view body, bool* ok) {
  thread_local simdjson::dom::parser parser;
  *ok = false;
  Element root;
  if (body.empty()) return root;
  auto result = parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true);
  if (result.error() != simdjson::SUCCESS) return root;
  root = result.value_unsafe();
  *ok = root.type() == element_type::OBJECT;
  return root;
}

}  // namespace riffle::protocol::json_internal
