#include "protocol/cbor_transcode.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <utility>

#include "protocol/base64.h"
#include "protocol/cbor_reader.h"
#include "protocol/cbor_writer.h"
#include "protocol/error_render.h"

namespace riffle::protocol {
namespace {

constexpr uint64_t kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

bool IsKind(const Shape* shape, ShapeKind kind) { return shape != nullptr && shape->kind == kind; }

// A finite double as a JSON number, in its shortest round-trip form; large
// magnitudes in exponent form (an integer literal beyond 64 bits would not
// parse as a JSON number downstream).
void AppendDouble(std::string& out, double v) {
  char buf[32];
  char* end = std::fabs(v) >= 1e15 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr
                                   : std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

// Epoch milliseconds as JSON epoch seconds, exactly: 1700000000123 -> 1700000000.123.
void AppendMillisAsSeconds(std::string& out, int64_t millis) {
  uint64_t magnitude = millis < 0 ? static_cast<uint64_t>(-(millis + 1)) + 1 : static_cast<uint64_t>(millis);
  if (millis < 0) out.push_back('-');
  out += std::to_string(magnitude / 1000);
  char frac[5];
  std::snprintf(frac, sizeof frac, ".%03u", static_cast<unsigned>(magnitude % 1000));
  out += frac;
}

// CBOR -> JSON for one request body.
class RequestTranscoder {
 public:
  explicit RequestTranscoder(std::string_view cbor) : reader_(cbor) { out_.reserve(cbor.size() * 4 / 3 + 16); }

  bool Run(const Shape* shape) {
    if (!Item(shape, 0, /*top=*/true)) return false;
    if (!reader_.at_end()) return reader_.Fail("trailing bytes after the body's data item");
    return true;
  }
  std::string Take() { return std::move(out_); }

 private:
  bool Item(const Shape* shape, int depth, bool top) {
    if (depth > kMaxCborDepth) return reader_.Fail("nesting deeper than the limit");
    CborHead head;
    if (!reader_.ReadHead(&head)) return false;
    if (head.is_break) return reader_.Fail("unexpected break");
    if (head.major == 6) return Item(shape, depth + 1, top);  // tags carry no meaning here
    if (top && head.major != 5) return reader_.Fail("the body is not a map");
    switch (head.major) {
      case 0:
        return Unsigned(shape, head.argument);
      case 1:
        return Negative(shape, head.argument);
      case 2: {
        if (!reader_.ReadString(head, &scratch_)) return false;
        if (shape != nullptr && shape->kind != ShapeKind::kBlob) {
          // Bytes where the model has no blob: a value the JSON decoder
          // rejects as a structure ("Start of structure or map found where
          // not expected."), which is what kinesalite answers.
          out_ += "{}";
          return true;
        }
        out_.push_back('"');
        Base64EncodeAppend(scratch_, &out_);
        out_.push_back('"');
        return true;
      }
      case 3:
        if (!Text(head)) return false;
        AppendJsonString(out_, scratch_);
        return true;
      case 4:
        return Array(head, IsKind(shape, ShapeKind::kList) ? shape->element : nullptr, depth);
      case 5:
        return Map(head, shape, depth);
      default:
        return Simple(shape, head);
    }
  }

  bool Text(const CborHead& head) {
    if (!reader_.ReadString(head, &scratch_)) return false;
    if (!simdjson::validate_utf8(scratch_.data(), scratch_.size())) return reader_.Fail("invalid UTF-8 text");
    return true;
  }

  bool Unsigned(const Shape* shape, uint64_t v) {
    if (IsKind(shape, ShapeKind::kTimestamp)) {
      if (v > kInt64Max) return Double(shape, static_cast<double>(v));
      AppendMillisAsSeconds(out_, static_cast<int64_t>(v));
      return true;
    }
    out_ += std::to_string(v);
    return true;
  }

  // The value -1 - n.
  bool Negative(const Shape* shape, uint64_t n) {
    if (n > kInt64Max) return Double(shape, -static_cast<double>(n) - 1.0);
    int64_t v = -1 - static_cast<int64_t>(n);
    if (IsKind(shape, ShapeKind::kTimestamp)) {
      AppendMillisAsSeconds(out_, v);
    } else {
      out_ += std::to_string(v);
    }
    return true;
  }

  bool Double(const Shape* shape, double v) {
    if (!std::isfinite(v)) return reader_.Fail("non-finite number");
    AppendDouble(out_, IsKind(shape, ShapeKind::kTimestamp) ? v / 1000.0 : v);
    return true;
  }

  bool Simple(const Shape* shape, const CborHead& head) {
    switch (head.info) {
      case 20:
        out_ += "false";
        return true;
      case 21:
        out_ += "true";
        return true;
      case 22:
      case 23:  // undefined
        out_ += "null";
        return true;
      case 25:
        return Double(shape, HalfToDouble(static_cast<uint16_t>(head.argument)));
      case 26:
        return Double(shape, FloatBitsToDouble(static_cast<uint32_t>(head.argument)));
      case 27:
        return Double(shape, DoubleBitsToDouble(head.argument));
      default:
        return reader_.Fail("unassigned simple value");
    }
  }

  bool Array(const CborHead& head, const Shape* element, int depth) {
    if (!head.indefinite && head.argument > reader_.remaining()) {
      return reader_.Fail("truncated: array longer than the body");
    }
    out_.push_back('[');
    for (uint64_t i = 0;; ++i) {
      if (head.indefinite ? reader_.ConsumeBreak() : i == head.argument) break;
      if (i > 0) out_.push_back(',');
      if (!Item(element, depth + 1, false)) return false;
    }
    out_.push_back(']');
    return true;
  }

  bool Map(const CborHead& head, const Shape* shape, int depth) {
    if (!head.indefinite && head.argument > reader_.remaining() / 2) {
      return reader_.Fail("truncated: map longer than the body");
    }
    out_.push_back('{');
    for (uint64_t i = 0;; ++i) {
      if (head.indefinite ? reader_.ConsumeBreak() : i == head.argument) break;
      if (i > 0) out_.push_back(',');
      CborHead key;
      if (!reader_.ReadHead(&key)) return false;
      if (key.is_break || key.major != 3) return reader_.Fail("a map key that is not a text string");
      if (!Text(key)) return false;
      AppendJsonString(out_, scratch_);
      out_.push_back(':');
      const Shape* value = nullptr;
      if (IsKind(shape, ShapeKind::kStructure)) value = shape->Member(scratch_);
      if (IsKind(shape, ShapeKind::kMap)) value = shape->element;
      if (!Item(value, depth + 1, false)) return false;
    }
    out_.push_back('}');
    return true;
  }

  CborReader reader_;
  std::string out_;
  std::string scratch_;
};

using simdjson::dom::element;
using simdjson::dom::element_type;

void WriteJson(element e, const Shape* shape, CborWriter& w) {
  switch (e.type()) {
    case element_type::OBJECT: {
      w.BeginMap();
      simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) {
        w.Text(field.key);
        const Shape* value = nullptr;
        if (IsKind(shape, ShapeKind::kStructure)) value = shape->Member(field.key);
        if (IsKind(shape, ShapeKind::kMap)) value = shape->element;
        WriteJson(field.value, value, w);
      }
      w.End();
      return;
    }
    case element_type::ARRAY: {
      const Shape* item = IsKind(shape, ShapeKind::kList) ? shape->element : nullptr;
      w.BeginArray();
      simdjson::dom::array array = e.get_array().value_unsafe();
      for (element child : array) WriteJson(child, item, w);
      w.End();
      return;
    }
    case element_type::STRING: {
      std::string_view text = e.get_string().value_unsafe();
      if (IsKind(shape, ShapeKind::kBlob)) {
        if (std::optional<std::string> bytes = Base64Decode(text)) {
          w.Bytes(*bytes);
          return;
        }
      }
      w.Text(text);
      return;
    }
    case element_type::INT64: {
      int64_t v = e.get_int64().value_unsafe();
      if (IsKind(shape, ShapeKind::kTimestamp)) {
        w.TimestampMillis(static_cast<int64_t>(std::llround(static_cast<double>(v) * 1000.0)));
      } else {
        w.Int(v);
      }
      return;
    }
    case element_type::UINT64:
      w.Uint(e.get_uint64().value_unsafe());
      return;
    case element_type::DOUBLE: {
      double v = e.get_double().value_unsafe();
      if (IsKind(shape, ShapeKind::kTimestamp)) {
        w.TimestampMillis(static_cast<int64_t>(std::llround(v * 1000.0)));
      } else {
        w.Double(v);
      }
      return;
    }
    case element_type::BOOL:
      w.Bool(e.get_bool().value_unsafe());
      return;
    case element_type::NULL_VALUE:
      w.Null();
      return;
  }
}

}  // namespace

ApiResult<std::string> CborRequestToJson(std::string_view cbor, const Shape* shape) {
  RequestTranscoder transcoder(cbor);
  if (!transcoder.Run(shape)) return ApiError::Serialization("");
  return transcoder.Take();
}

ApiResult<std::string> JsonResponseToCbor(std::string_view json, const Shape* shape) {
  thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root.type() != element_type::OBJECT) {
    return ApiError::InternalFailure("response body is not a JSON object");
  }
  CborWriter w(json.size());
  WriteJson(root, shape, w);
  return w.Take();
}

}  // namespace riffle::protocol
