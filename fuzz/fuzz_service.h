// FuzzService: the core of a Riffle server for the harnesses — an in-memory
// store (RocksDB over its MemEnv), a StreamService and the ChannelService
// beside it (as `riffle serve` has them) on the system clock, and
// one ACTIVE stream "fuzz" (2 shards, a few records) so that fuzzed requests
// reach past "stream not found". Not thread-safe: one harness thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/channel_service.h"
#include "core/stream_service.h"
#include "handlers/handler.h"
#include "protocol/api_result.h"
#include "store/store.h"

namespace riffle::fuzz {

inline constexpr std::string_view kAccount = "000000000000";
inline constexpr std::string_view kRegion = "us-east-1";
inline constexpr std::string_view kStream = "fuzz";

class FuzzService {
 public:
  // Opens a fresh in-memory store and service and sets up stream "fuzz".
  // Aborts on failure (a harness cannot run without it).
  static std::unique_ptr<FuzzService> Open();
  ~FuzzService();

  core::StreamService& streams() { return *streams_; }
  handlers::Context context() {
    handlers::Context c{*streams_, {std::string(kAccount), std::string(kRegion)}};
    c.channels = channels_.get();  // as the server sets it
    return c;
  }
  // A valid TRIM_HORIZON iterator of shardId-000000000000 of "fuzz".
  const std::string& iterator() const { return iterator_; }

  // Runs `handler` on `body` and waits for its reply. Aborts when the reply
  // does not come within a minute (a hang is a finding too).
  protocol::ApiResult<std::string> Call(const handlers::Handler& handler, std::string_view body);
  // Same, by operation name (which must exist).
  protocol::ApiResult<std::string> Call(std::string_view operation, std::string_view body);

 private:
  FuzzService() = default;

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<core::StreamService> streams_;
  std::unique_ptr<core::ChannelService> channels_;
  std::string iterator_;
};

// Aborts the harness with `what` (and `detail`) on stderr: libFuzzer then
// saves the input as a crash.
[[noreturn]] void Fail(std::string_view what, std::string_view detail = {});

}  // namespace riffle::fuzz
