#include "protocol/credentials_file.h"

#include <set>

namespace riffle::protocol {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Status LineError(int line, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + what);
}

Status CheckSection(const CredentialEntry& entry, int line, std::set<std::string, std::less<>>& keys) {
  if (entry.access_key_id.empty() || entry.secret_access_key.empty()) {
    return LineError(line, "section [" + entry.user_name + "] needs aws_access_key_id and aws_secret_access_key");
  }
  if (!keys.insert(entry.access_key_id).second) {
    return LineError(line, "access key " + entry.access_key_id + " appears in two sections");
  }
  if (!entry.account_id.empty() &&
      (entry.account_id.size() != 12 || entry.account_id.find_first_not_of("0123456789") != std::string::npos)) {
    return LineError(line, "account_id of [" + entry.user_name + "] must be 12 digits");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<CredentialEntry>> ParseCredentialsFile(std::string_view text) {
  std::vector<CredentialEntry> entries;
  std::vector<int> section_lines;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) return LineError(line_number, "malformed section header");
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      if (name.empty() || name.find_first_of("/ \t") != std::string_view::npos) {
        return LineError(line_number, "a section name must be a user name (no spaces or slashes)");
      }
      entries.push_back(CredentialEntry{std::string(name), "", "", "", "", ""});
      section_lines.push_back(line_number);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return LineError(line_number, "expected key = value");
    if (entries.empty()) return LineError(line_number, "key outside of a [section]");
    std::string_view key = Trim(line.substr(0, eq));
    std::string value(Trim(line.substr(eq + 1)));
    CredentialEntry& entry = entries.back();
    if (key == "aws_access_key_id") {
      entry.access_key_id = std::move(value);
    } else if (key == "aws_secret_access_key") {
      entry.secret_access_key = std::move(value);
    } else if (key == "aws_session_token") {
      entry.session_token = std::move(value);
    } else if (key == "account_id") {
      entry.account_id = std::move(value);
    } else if (key == "policy_file") {
      entry.policy_file = std::move(value);
    }
  }
  std::set<std::string, std::less<>> keys;
  for (size_t i = 0; i < entries.size(); ++i) {
    Status status = CheckSection(entries[i], section_lines[i], keys);
    if (!status.ok()) return status;
  }
  return entries;
}

}  // namespace riffle::protocol
