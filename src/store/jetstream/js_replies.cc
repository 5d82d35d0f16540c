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

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 (padding optional); nullopt for any other character. For
// the few bytes of a header block: the protocol layer's decoder is above the
// store, and strict about padding.
std::optional<std::string> DecodeBase64(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>(bits >> 16));
      out.push_back(static_cast<char>(bits >> 8));
      out.push_back(static_cast<char>(bits));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1) return std::nullopt;
  if (count == 2) out.push_back(static_cast<char>(bits >> 4));
  if (count == 3) {
    out.push_back(static_cast<char>(bits >> 10));
    out.push_back(static_cast<char>(bits >> 2));
  }
  return out;
}

// The value of header `name` in a NATS header block ("NATS/1.0\r\n" then
// "Name: value" lines), "" when it has none.
std::string HeaderValue(std::string_view block, std::string_view name) {
  size_t at = block.find("\r\n");
  while (at != std::string_view::npos) {
    const size_t begin = at + 2;
    const size_t end = block.find("\r\n", begin);
    const std::string_view line = block.substr(begin, end == std::string_view::npos ? end : end - begin);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':') {
      std::string_view value = line.substr(name.size() + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      return std::string(value);
    }
    at = end;
  }
  return "";
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
  constexpr std::string_view kHeaders = "\"hdrs\":\"";
  if (const size_t at = json.find(kHeaders, message); at != std::string_view::npos) {
    const size_t begin = at + kHeaders.size();
    const size_t end = json.find('"', begin);
    if (end == std::string_view::npos) return std::nullopt;
    auto block = DecodeBase64(json.substr(begin, end - begin));
    if (!block) return std::nullopt;
    reply.msg_id = HeaderValue(*block, "Nats-Msg-Id");
  }
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
