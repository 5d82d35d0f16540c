// Settings: what a Client runs with, resolved once from ClientOptions, the
// environment and the shared AWS config and credentials files, in the
// orders documented in riffle/kinesis/client.h and credentials.h.
// Internal to libriffle-kinesis.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "client/endpoint.h"
#include "riffle/kinesis/client.h"
#include "riffle/kinesis/credentials.h"
#include "riffle/kinesis/error.h"

namespace riffle::kinesis::internal {

struct Settings {
  Endpoint endpoint;
  std::string region;
  Credentials credentials;
  std::string ca_file;  // empty: the system's trust store
  int max_attempts = 3;
};

// The sections of an INI file as the AWS shared files use it: "[name]"
// headers, "key = value" lines (keys lower-cased, values trimmed), full-line
// comments starting with # or ;, indented lines (nested settings) skipped.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
IniSections ParseIni(std::string_view text);

// Reads an environment variable: nullptr when unset. Tests pass their own.
using Getenv = std::function<const char*(const char*)>;

// kInvalidConfiguration when the endpoint does not parse, a named profile
// exists in neither file, max attempts is not a positive number, or no
// credentials are found anywhere.
Result<Settings> ResolveSettings(const ClientOptions& options, const Getenv& getenv);

}  // namespace riffle::kinesis::internal
