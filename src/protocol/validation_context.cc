#include "protocol/validation_context.h"

namespace riffle::protocol {

void ValidationContext::Fail(const std::string& value, std::string_view constraint) {
  if (errors_.size() >= kMaxErrors) return;
  std::string msg;
  msg.reserve(64 + value.size() + constraint.size());
  msg.append("Value ").append(value).append(" at '");
  bool first = true;
  for (const Segment& seg : path_) {
    if (seg.name.empty()) {
      msg.append(".").append(std::to_string(seg.index)).append(".member");
    } else {
      if (!first) msg.push_back('.');
      msg.append(seg.name);
    }
    first = false;
  }
  msg.append("' failed to satisfy constraint: ").append(constraint);
  errors_.push_back(std::move(msg));
}

std::optional<ApiError> ValidationContext::Finish() const {
  if (errors_.empty()) return std::nullopt;
  std::string msg = std::to_string(errors_.size());
  msg.append(errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i) msg.append("; ");
    msg.append(errors_[i]);
  }
  return ApiError::Validation(std::move(msg));
}

size_t CodePointLength(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string FormatStringValue(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

std::string FormatIntValue(int64_t v) { return "'" + std::to_string(v) + "'"; }

std::string FormatBlobValue(size_t size) {
  std::string n = std::to_string(size);
  return "'java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]'";
}

std::string FormatStringListValue(const std::vector<std::string>& v) {
  std::string out = "'[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.append(", ");
    out.append(v[i]);
  }
  out.append("]'");
  return out;
}

std::string FormatStructListValue(size_t count, std::string_view shape_name) {
  std::string element = "com.amazonaws.kinesis.v20131202.";
  element.append(shape_name).append("@2");
  std::string out = "'[";
  for (size_t i = 0; i < count; ++i) {
    if (i) out.append(", ");
    out.append(element);
  }
  out.append("]'");
  return out;
}

std::string FormatMapValue(const std::vector<std::pair<std::string, std::string>>& v) {
  std::string out = "'{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.append(", ");
    out.append(v[i].first).append("=").append(v[i].second);
  }
  out.append("}'");
  return out;
}

}  // namespace riffle::protocol
