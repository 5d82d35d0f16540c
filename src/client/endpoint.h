// Endpoint: where a Client sends its requests, parsed from a URL, and the
// AWS endpoint of a region. Internal to libriffle-kinesis.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "riffle/kinesis/error.h"

namespace riffle::kinesis::internal {

struct Endpoint {
  bool tls = false;        // https
  std::string host;        // name or address; an IPv6 address without brackets
  uint16_t port = 0;
  std::string path = "/";  // request target of every call (a URL's path, else "/")
  std::string authority;   // the Host header (and :authority): host, with ":port" unless the scheme's default
  std::string url;         // scheme://authority/path, for messages
};

// Parses "http://host[:port][/path]" or "https://host[:port][/path]" (IPv6 in
// brackets). A URL without a scheme is refused (kInvalidConfiguration), so
// that a missing "https://" never silently sends credentials in the clear.
Result<Endpoint> ParseEndpoint(std::string_view url);

// https://kinesis.REGION.amazonaws.com (amazonaws.com.cn for cn-* regions).
std::string AwsEndpointUrl(std::string_view region);

}  // namespace riffle::kinesis::internal
