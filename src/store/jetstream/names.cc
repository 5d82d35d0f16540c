#include "store/jetstream/names.h"

#include <charconv>

namespace riffle::store::jetstream {
namespace {

bool KeptByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '/' ||
         c == '_';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case is never produced, so never accepted
}

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string ShardSuffix(ShardKey shard, char separator) {
  return std::to_string(shard.incarnation) + separator + std::to_string(shard.shard_index);
}

}  // namespace

bool ValidPrefix(std::string_view prefix) {
  if (prefix.empty()) return false;
  for (char c : prefix) {
    if (!KeptByte(static_cast<unsigned char>(c)) || c == '/') return false;
  }
  return true;
}

std::string LogStreamName(std::string_view prefix, ShardKey shard) {
  return std::string(prefix) + "-log-" + ShardSuffix(shard, '-');
}

std::optional<ShardKey> ParseLogStreamName(std::string_view prefix, std::string_view name) {
  const std::string head = std::string(prefix) + "-log-";
  if (name.substr(0, head.size()) != head) return std::nullopt;
  name.remove_prefix(head.size());
  size_t dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  uint64_t incarnation = 0, index = 0;
  if (!ParseU64(name.substr(0, dash), &incarnation) || !ParseU64(name.substr(dash + 1), &index) ||
      index > UINT32_MAX) {
    return std::nullopt;
  }
  return ShardKey{incarnation, static_cast<uint32_t>(index)};
}

std::string LogSubject(std::string_view prefix, ShardKey shard) {
  return std::string(prefix) + ".log." + ShardSuffix(shard, '.');
}

std::string LogEndSubject(std::string_view prefix, ShardKey shard) { return LogSubject(prefix, shard) + ".end"; }

bool IsLogEndSubject(std::string_view subject) { return subject.ends_with(".end"); }

std::string TickSubject(std::string_view prefix, ShardKey shard) {
  return std::string(prefix) + ".tick." + ShardSuffix(shard, '.');
}

std::string AckInboxPrefix(std::string_view prefix) { return "_INBOX.riffle-acks." + std::string(prefix); }

std::optional<ShardKey> ParseShardTokens(std::string_view subject) {
  size_t dot = subject.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  uint32_t index = 0;
  auto r1 = std::from_chars(subject.data() + dot + 1, subject.data() + subject.size(), index);
  if (r1.ec != std::errc() || r1.ptr != subject.data() + subject.size()) return std::nullopt;
  subject = subject.substr(0, dot);
  dot = subject.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  uint64_t incarnation = 0;
  auto r2 = std::from_chars(subject.data() + dot + 1, subject.data() + subject.size(), incarnation);
  if (r2.ec != std::errc() || r2.ptr != subject.data() + subject.size()) return std::nullopt;
  return ShardKey{incarnation, index};
}

std::string UsageSubject(std::string_view prefix) { return std::string(prefix) + ".usage"; }

std::string MetaBucket(std::string_view prefix, bool ephemeral) {
  return std::string(prefix) + (ephemeral ? "-lease" : "-meta");
}

std::string KvStreamName(std::string_view bucket) { return "KV_" + std::string(bucket); }

std::string KvSubject(std::string_view bucket, std::string_view key) {
  return "$KV." + std::string(bucket) + "." + EncodeKey(key);
}

std::string EncodeKey(std::string_view key) {
  if (key.empty()) return "=";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (char ch : key) {
    auto c = static_cast<unsigned char>(ch);
    if (KeptByte(c)) {
      out.push_back(ch);
    } else {
      out.push_back('=');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::optional<std::string> DecodeKey(std::string_view encoded) {
  if (encoded == "=") return std::string();
  if (encoded.empty()) return std::nullopt;
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '=') {
      if (i + 2 >= encoded.size()) return std::nullopt;
      int hi = HexValue(encoded[i + 1]), lo = HexValue(encoded[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      auto byte = static_cast<unsigned char>(hi << 4 | lo);
      if (KeptByte(byte)) return std::nullopt;  // EncodeKey would have kept it
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else if (KeptByte(static_cast<unsigned char>(c))) {
      out.push_back(c);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string LogDescription(const LogDescriptionFields& fields) {
  std::string out = "riffle log v1 first_counter=" + std::to_string(fields.first_counter);
  if (fields.end) out += " end=" + std::to_string(*fields.end);
  return out;
}

std::optional<LogDescriptionFields> ParseLogDescription(std::string_view description) {
  constexpr std::string_view kHead = "riffle log v1 first_counter=";
  constexpr std::string_view kEnd = " end=";
  if (description.substr(0, kHead.size()) != kHead) return std::nullopt;
  description.remove_prefix(kHead.size());
  LogDescriptionFields fields;
  const size_t space = description.find(' ');
  if (!ParseU64(description.substr(0, space), &fields.first_counter)) return std::nullopt;
  if (space != std::string_view::npos) {
    description.remove_prefix(space);
    uint64_t end = 0;
    if (description.substr(0, kEnd.size()) != kEnd || !ParseU64(description.substr(kEnd.size()), &end)) {
      return std::nullopt;
    }
    fields.end = end;
  }
  return fields;
}

uint64_t FirstSequenceFor(uint64_t first_counter) {
  uint64_t seq = (first_counter >> kIndexBits) + ((first_counter & kMaxRecordsPerMessage) != 0 ? 1 : 0);
  return seq == 0 ? 1 : seq;
}

}  // namespace riffle::store::jetstream
