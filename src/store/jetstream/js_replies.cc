#include "store/jetstream/js_replies.h"

#include <charconv>
#include <string>

namespace riffle::store::jetstream {
namespace {

// The unsigned number after the first `"<key>":` at or after `from`.
std::optional<uint64_t> NumberAfter(std::string_view json, std::string_view key, size_t from) {
  const std::string quoted = "\"" + std::string(key) + "\":";
  const size_t at = json.find(quoted, from);
  if (at == std::string_view::npos) return std::nullopt;
  size_t p = at + quoted.size();
  while (p < json.size() && json[p] == ' ') ++p;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(json.data() + p, json.data() + json.size(), value);
  if (ec != std::errc() || end == json.data() + p) return std::nullopt;
  return value;
}

}  // namespace

std::optional<MsgGetReply> ParseMsgGetReply(std::string_view json) {
  MsgGetReply reply;
  // The subject and payload come before nothing we read: a subject has no
  // quote, and data and headers are base64.
  if (const size_t error = json.find("\"error\":"); error != std::string_view::npos) {
    auto code = NumberAfter(json, "err_code", error);
    if (!code) code = NumberAfter(json, "code", error);
    if (!code) return std::nullopt;
    reply.err_code = static_cast<int>(*code);
    return reply;
  }
  const size_t message = json.find("\"message\":");
  if (message == std::string_view::npos) return std::nullopt;
  reply.seq = NumberAfter(json, "seq", message);
  if (!reply.seq) return std::nullopt;
  return reply;
}


std::optional<PubAck> ParsePubAck(std::string_view json) {
  if (json.empty() || json.front() != '{' || json.find("\"error\"") != std::string_view::npos ||
      json.find("\"type\"") != std::string_view::npos) {
    return std::nullopt;
  }
  constexpr std::string_view kStream = "\"stream\":\"";
  const size_t at = json.find(kStream);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t begin = at + kStream.size();
  const size_t end = json.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  auto seq = NumberAfter(json, "seq", 0);
  if (!seq || *seq == 0) return std::nullopt;
  return PubAck{std::string(json.substr(begin, end - begin)), *seq};
}

}  // namespace riffle::store::jetstream
