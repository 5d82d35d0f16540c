#include "core/channel_key_template.h"

#include <ctime>
#include <optional>
#include <vector>

namespace riffle::core {
namespace {

struct Piece {
  bool variable = false;
  std::string text;  // literal text, or the variable's name (what is between "!{" and "}")
};

bool LiteralCharOk(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '-':
    case '_':
    case '\'':
    case '.':
    case '*':
    case '(':
    case ')':
    case '/':
    case '=':
      return true;
    default:
      return false;
  }
}

bool IsExtension(const std::string& name) { return name == "extension" || name.rfind("extension:", 0) == 0; }

bool KnownVariable(const std::string& name) {
  static const char* const kNames[] = {"channel-name", "channel-id", "stream-name", "yyyy", "yy",
                                       "MM",           "dd",         "HH",          "mm"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  if (name == "extension") return true;
  if (name.rfind("extension:", 0) == 0) {
    std::string_view literal = std::string_view(name).substr(10);
    if (literal.size() < 2 || literal[0] != '.') return false;
    for (char c : literal) {
      if (!(c == '.' || (c >= 'a' && c <= 'z'))) return false;
    }
    return true;
  }
  return false;
}

// nullopt: an unclosed "!{".
std::optional<std::vector<Piece>> Split(std::string_view t) {
  std::vector<Piece> pieces;
  std::string literal;
  for (size_t i = 0; i < t.size();) {
    if (t[i] == '!' && i + 1 < t.size() && t[i + 1] == '{') {
      const size_t close = t.find('}', i + 2);
      if (close == std::string_view::npos) return std::nullopt;
      if (!literal.empty()) pieces.push_back({false, std::move(literal)});
      literal.clear();
      pieces.push_back({true, std::string(t.substr(i + 2, close - i - 2))});
      i = close + 1;
    } else {
      literal.push_back(t[i++]);
    }
  }
  if (!literal.empty()) pieces.push_back({false, std::move(literal)});
  return pieces;
}

Status Bad(const std::string& why) { return Status::InvalidArgument("Invalid OutputKeyTemplate: " + why); }

std::string Two(int v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? "0" + s : s;
}

}  // namespace

std::string_view CompressionExtension(ObjectCompression compression) {
  switch (compression) {
    case ObjectCompression::kGzip:
      return ".gz";
    case ObjectCompression::kZstd:
      return ".zst";
    case ObjectCompression::kNone:
      break;
  }
  return "";
}

Status ValidateKeyTemplate(std::string_view t, ObjectCompression compression) {
  if (t.empty() || t.size() > 1024) return Bad("it must be 1 to 1024 characters long.");
  auto pieces = Split(t);
  if (!pieces) return Bad("every !{ must be closed by }.");
  if (t.front() == '/') return Bad("it must not start with /.");
  if (t.back() == '/') return Bad("it must not end with /.");
  if (t.find("//") != std::string_view::npos) return Bad("it must not contain //.");
  bool extension = false;
  for (size_t i = 0; i < pieces->size(); ++i) {
    const Piece& p = (*pieces)[i];
    if (!p.variable) {
      for (char c : p.text) {
        if (!LiteralCharOk(c)) return Bad(std::string("the character '") + c + "' is not allowed.");
      }
      continue;
    }
    if (!KnownVariable(p.text)) return Bad("unknown variable !{" + p.text + "}.");
    if (IsExtension(p.text)) {
      if (extension) return Bad("it may hold one extension variable only.");
      if (i + 1 != pieces->size()) return Bad("the extension variable must come last.");
      extension = true;
    }
  }
  // Path segments "." and "..".
  size_t start = 0;
  while (start <= t.size()) {
    size_t end = t.find('/', start);
    if (end == std::string_view::npos) end = t.size();
    std::string_view segment = t.substr(start, end - start);
    if (segment == "." || segment == "..") return Bad("it must not contain . or .. path segments.");
    start = end + 1;
  }
  if (compression != ObjectCompression::kNone && !extension) {
    return Bad("with GZIP or ZSTD compression it must end with !{extension}.");
  }
  KeyValues longest;
  longest.channel_name.assign(128, 'n');
  longest.channel_id.assign(36, 'i');
  longest.stream_name.assign(128, 's');
  longest.compression = compression;
  if (ExpandKeyTemplate(t, longest).size() > kMaxExpandedKeyBytes) {
    return Bad("expanded, it may exceed 986 characters.");
  }
  return Status::Ok();
}

std::string ExpandKeyTemplate(std::string_view t, const KeyValues& v) {
  const std::time_t seconds = static_cast<std::time_t>(v.time_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::string out;
  std::string extension;
  auto pieces = Split(t);
  if (!pieces) return out;
  for (const Piece& p : *pieces) {
    if (!p.variable) {
      out += p.text;
    } else if (p.text == "channel-name") {
      out += v.channel_name;
    } else if (p.text == "channel-id") {
      out += v.channel_id;
    } else if (p.text == "stream-name") {
      out += v.stream_name;
    } else if (p.text == "yyyy") {
      out += std::to_string(utc.tm_year + 1900);
    } else if (p.text == "yy") {
      out += Two((utc.tm_year + 1900) % 100);
    } else if (p.text == "MM") {
      out += Two(utc.tm_mon + 1);
    } else if (p.text == "dd") {
      out += Two(utc.tm_mday);
    } else if (p.text == "HH") {
      out += Two(utc.tm_hour);
    } else if (p.text == "mm") {
      out += Two(utc.tm_min);
    } else if (p.text == "extension") {
      extension = CompressionExtension(v.compression);
    } else if (p.text.rfind("extension:", 0) == 0) {
      extension = p.text.substr(10);
    }
  }
  return out + v.unique_suffix + extension;
}

}  // namespace riffle::core
