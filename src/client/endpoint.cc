#include "client/endpoint.h"

#include <charconv>

namespace riffle::kinesis::internal {

namespace {

Error Bad(std::string_view url, std::string_view why) {
  return Error(ErrorCode::kInvalidConfiguration, "endpoint \"" + std::string(url) + "\": " + std::string(why));
}

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view url) {
  Endpoint out;
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    out.tls = true;
    rest.remove_prefix(8);
  } else {
    return Bad(url, "must start with http:// or https://");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.path = std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) return Bad(url, "user information is not supported");
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad(url, "unclosed [ in the host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Bad(url, "unexpected text after the host");
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Bad(url, "no host");
  out.host = std::string(host);
  const uint16_t default_port = out.tls ? 443 : 80;
  out.port = default_port;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Bad(url, "bad port \"" + std::string(port) + "\"");
    }
    out.port = static_cast<uint16_t>(value);
  }
  const bool ipv6 = out.host.find(':') != std::string::npos;
  out.authority = ipv6 ? "[" + out.host + "]" : out.host;
  if (out.port != default_port) out.authority += ":" + std::to_string(out.port);
  out.url = (out.tls ? "https://" : "http://") + out.authority + (out.path == "/" ? "" : out.path);
  return out;
}

std::string AwsEndpointUrl(std::string_view region) {
  std::string url = "https://kinesis." + std::string(region) + ".amazonaws.com";
  if (region.starts_with("cn-")) url += ".cn";
  return url;
}

}  // namespace riffle::kinesis::internal
