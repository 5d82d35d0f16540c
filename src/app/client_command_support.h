// What the client commands (command_*.cc) share: making the client from
// their common flags, reporting errors, and the commands' entry points.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <riffle/kinesis/kinesis.h>

#include "app/client_commands.h"

namespace riffle::app {

// The endpoint the commands talk to: --endpoint, else AWS_ENDPOINT_URL_KINESIS,
// else Riffle's default address.
std::string CommandEndpoint(const ClientFlags& flags);

// A client for the commands (any credentials work on Riffle: when none are
// configured, placeholder ones are used). nullptr after printing why.
std::shared_ptr<kinesis::Client> MakeCommandClient(const ClientFlags& flags);

// Prints "riffle: WHAT: ERROR" on stderr and returns 1.
int Fail(std::string_view what, const kinesis::Error& error);

// Waits until the stream's status is `status` ("" : until it is gone),
// polling DescribeStreamSummary; false after printing why (an error, or
// `timeout`).
bool WaitForStream(kinesis::Client& client, const std::string& name, std::string_view status,
                   std::chrono::seconds timeout);

// ISO 8601 UTC of epoch seconds ("2026-12-04T16:22:14.123Z").
std::string FormatTime(double epoch_seconds);

struct CreateFlags {
  std::string name;
  int64_t shards = 0;  // 0: not given
  bool on_demand = false;
  bool no_wait = false;
};
struct RmFlags {
  std::string name;
  bool force = false;
  bool no_wait = false;
};
struct DescribeFlags {
  std::string name;
  std::string format = "text";
};
struct PutFlags {
  std::string name;
  std::string partition_key;
  bool aggregate = false;
};
struct TailFlags {
  std::string name;
  std::string from = "trim-horizon";
  bool follow = false;
  int64_t count = 0;  // 0: no limit
  std::string format = "text";
};

int RunLs(const ClientFlags& flags);
int RunCreate(const ClientFlags& flags, const CreateFlags& create);
int RunRm(const ClientFlags& flags, const RmFlags& rm);
int RunDescribe(const ClientFlags& flags, const DescribeFlags& describe);
int RunPut(const ClientFlags& flags, const PutFlags& put);
int RunTail(const ClientFlags& flags, const TailFlags& tail);

// --from of `tail`: trim-horizon, latest, an ISO 8601 time or epoch
// seconds, or a sequence number (digits, more than 12). nullopt if none.
std::optional<kinesis::StreamPosition> ParseTailFrom(std::string_view text);

}  // namespace riffle::app
