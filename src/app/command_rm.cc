// `riffle rm NAME [--force] [--no-wait]`: DeleteStream (with --force also its
// registered consumers), then DescribeStreamSummary until it is gone.
#include <cstdio>

#include "app/client_command_support.h"

namespace riffle::app {

int RunRm(const ClientFlags& flags, const RmFlags& rm) {
  auto client = MakeCommandClient(flags);
  if (!client) return 1;
  kinesis::DeleteStreamInput request;
  request.StreamName = rm.name;
  if (rm.force) request.EnforceConsumerDeletion = true;
  auto deleted = client->DeleteStream(request);
  if (!deleted.ok()) return Fail("DeleteStream " + rm.name, deleted.error());
  std::fprintf(stderr, "riffle: deleting stream %s\n", rm.name.c_str());
  if (rm.no_wait) return 0;
  if (!WaitForStream(*client, rm.name, "", std::chrono::seconds(300))) return 1;
  std::fprintf(stderr, "riffle: stream %s is gone\n", rm.name.c_str());
  return 0;
}

}  // namespace riffle::app
