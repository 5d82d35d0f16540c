#include "client/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace riffle::kinesis::internal {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The environment variable, or "" when unset.
std::string Env(const Getenv& getenv, const char* name) {
  const char* value = getenv(name);
  return value ? std::string(value) : std::string();
}

// A shared file's sections; empty when the file does not exist.
IniSections LoadIni(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  return ParseIni(text.str());
}

std::string HomeFile(const Getenv& getenv, const char* relative) {
  std::string home = Env(getenv, "HOME");
  return home.empty() ? std::string() : home + "/" + relative;
}

// The profile `name` of the config file ([profile NAME], or [default] /
// [profile default] for "default"), and of the credentials file ([NAME]).
struct Profile {
  const std::map<std::string, std::string>* config = nullptr;
  const std::map<std::string, std::string>* credentials = nullptr;

  std::string Get(const std::string& key, bool credentials_first = false) const {
    auto find = [&](const std::map<std::string, std::string>* section) -> std::optional<std::string> {
      if (!section) return std::nullopt;
      auto it = section->find(key);
      if (it == section->end()) return std::nullopt;
      return it->second;
    };
    auto first = credentials_first ? find(credentials) : find(config);
    if (first) return *first;
    auto second = credentials_first ? find(config) : find(credentials);
    return second.value_or("");
  }
};

const std::map<std::string, std::string>* Section(const IniSections& sections, const std::string& name) {
  auto it = sections.find(name);
  return it == sections.end() ? nullptr : &it->second;
}

bool IsTrue(std::string_view value) { return Lower(Trim(value)) == "true"; }

}  // namespace

IniSections ParseIni(std::string_view text) {
  IniSections out;
  std::map<std::string, std::string>* current = nullptr;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos) {
        current = nullptr;  // not a section header: ignore what follows
        continue;
      }
      // "[profile  name]" and "[ name ]": inner blanks around names are dropped.
      std::string_view name = Trim(line.substr(1, close - 1));
      std::string key;
      if (name.starts_with("profile ") || name.starts_with("profile\t")) {
        key = "profile " + std::string(Trim(name.substr(8)));
      } else {
        key = std::string(name);
      }
      current = &out[key];
      continue;
    }
    if (indented || current == nullptr) continue;  // nested settings (s3 = ...) are not ours
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = Lower(Trim(line.substr(0, eq)));
    if (key.empty()) continue;
    (*current)[key] = std::string(Trim(line.substr(eq + 1)));
  }
  return out;
}

Result<Settings> ResolveSettings(const ClientOptions& options, const Getenv& getenv) {
  Settings out;
  const bool explicit_profile = !options.profile.empty();
  std::string profile_name = options.profile;
  if (profile_name.empty()) profile_name = Env(getenv, "AWS_PROFILE");
  if (profile_name.empty()) profile_name = "default";

  std::string config_path = Env(getenv, "AWS_CONFIG_FILE");
  if (config_path.empty()) config_path = HomeFile(getenv, ".aws/config");
  std::string credentials_path = Env(getenv, "AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_path.empty()) credentials_path = HomeFile(getenv, ".aws/credentials");
  IniSections config = config_path.empty() ? IniSections() : LoadIni(config_path);
  IniSections credentials = credentials_path.empty() ? IniSections() : LoadIni(credentials_path);

  Profile profile;
  profile.config = Section(config, "profile " + profile_name);
  if (!profile.config && profile_name == "default") profile.config = Section(config, "default");
  profile.credentials = Section(credentials, profile_name);
  if (explicit_profile && !profile.config && !profile.credentials) {
    return Error(ErrorCode::kInvalidConfiguration,
                 "profile \"" + profile_name + "\" is in neither " + config_path + " nor " + credentials_path);
  }

  out.region = options.region;
  if (out.region.empty()) out.region = Env(getenv, "AWS_REGION");
  if (out.region.empty()) out.region = Env(getenv, "AWS_DEFAULT_REGION");
  if (out.region.empty()) out.region = profile.Get("region");
  if (out.region.empty()) out.region = "us-east-1";

  std::string endpoint = options.endpoint;
  const bool ignore_configured = IsTrue(Env(getenv, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
                                 IsTrue(profile.Get("ignore_configured_endpoint_urls"));
  if (endpoint.empty() && !ignore_configured) {
    endpoint = Env(getenv, "AWS_ENDPOINT_URL_KINESIS");
    if (endpoint.empty()) endpoint = Env(getenv, "AWS_ENDPOINT_URL");
    if (endpoint.empty()) endpoint = profile.Get("endpoint_url");
  }
  if (endpoint.empty()) endpoint = AwsEndpointUrl(out.region);
  auto parsed = ParseEndpoint(endpoint);
  if (!parsed.ok()) return parsed.error();
  out.endpoint = std::move(parsed.value());

  out.ca_file = options.ca_file;
  if (out.ca_file.empty()) out.ca_file = Env(getenv, "AWS_CA_BUNDLE");
  if (out.ca_file.empty()) out.ca_file = profile.Get("ca_bundle");

  if (options.retry.max_attempts) {
    out.max_attempts = *options.retry.max_attempts;
  } else {
    std::string text = Env(getenv, "AWS_MAX_ATTEMPTS");
    if (text.empty()) text = profile.Get("max_attempts");
    if (!text.empty()) {
      int value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) out.max_attempts = -1;
      else out.max_attempts = value;
    }
  }
  if (out.max_attempts < 1) {
    return Error(ErrorCode::kInvalidConfiguration, "max attempts must be a positive number");
  }

  if (options.credentials) {
    out.credentials = *options.credentials;
  } else {
    std::string key = explicit_profile ? std::string() : Env(getenv, "AWS_ACCESS_KEY_ID");
    std::string secret = explicit_profile ? std::string() : Env(getenv, "AWS_SECRET_ACCESS_KEY");
    if (!key.empty() && !secret.empty()) {
      out.credentials = {key, secret, Env(getenv, "AWS_SESSION_TOKEN")};
    } else {
      out.credentials.access_key_id = profile.Get("aws_access_key_id", true);
      out.credentials.secret_access_key = profile.Get("aws_secret_access_key", true);
      out.credentials.session_token = profile.Get("aws_session_token", true);
    }
    if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty()) {
      if (!options.fallback_credentials) {
        return Error(ErrorCode::kInvalidConfiguration,
                     "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile \"" +
                         profile_name + "\" in " + credentials_path + ", or ClientOptions::credentials");
      }
      out.credentials = *options.fallback_credentials;
    }
  }
  return out;
}

}  // namespace riffle::kinesis::internal
