// UpdateStreamWarmThroughput: the write throughput an on-demand stream is
// kept ready for (accounts with MinimumThroughputBillingCommitment only).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleUpdateStreamWarmThroughput(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UpdateStreamWarmThroughput>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.UpdateStreamWarmThroughput(
      *address, *input->WarmThroughputMiBps,
      [reply = std::move(reply)](StatusOr<core::WarmThroughputUpdate> update) {
        if (!update.ok()) return ReplyError(reply, update.status());
        wire::UpdateStreamWarmThroughputOutput output;
        output.StreamARN = update->arn;
        output.StreamName = update->name;
        output.WarmThroughput = wire::WarmThroughputObject{};
        output.WarmThroughput->TargetMiBps = update->warm.target_mibps;
        output.WarmThroughput->CurrentMiBps = update->warm.current_mibps;
        ReplyWith(reply, output);
      });
}

}  // namespace riffle::handlers
