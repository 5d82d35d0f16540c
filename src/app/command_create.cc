// `riffle create NAME [--shards N | --on-demand] [--no-wait]`: CreateStream,
// then DescribeStreamSummary until the stream is ACTIVE. Without --shards or
// --on-demand the service picks (ON_DEMAND, as CreateStream without both).
#include <cstdio>

#include "app/client_command_support.h"

namespace riffle::app {

int RunCreate(const ClientFlags& flags, const CreateFlags& create) {
  auto client = MakeCommandClient(flags);
  if (!client) return 1;
  kinesis::CreateStreamInput request;
  request.StreamName = create.name;
  if (create.shards > 0) request.ShardCount = create.shards;
  if (create.on_demand) request.StreamModeDetails = kinesis::StreamModeDetails{.StreamMode = "ON_DEMAND"};
  auto created = client->CreateStream(request);
  if (!created.ok()) return Fail("CreateStream " + create.name, created.error());
  std::fprintf(stderr, "riffle: created stream %s\n", create.name.c_str());
  if (create.no_wait) return 0;
  if (!WaitForStream(*client, create.name, "ACTIVE", std::chrono::seconds(300))) return 1;
  std::fprintf(stderr, "riffle: stream %s is ACTIVE\n", create.name.c_str());
  return 0;
}

}  // namespace riffle::app
