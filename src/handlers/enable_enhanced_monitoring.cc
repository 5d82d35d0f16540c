// EnableEnhancedMonitoring: enables shard-level metrics ("ALL" means all seven).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleEnableEnhancedMonitoring(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::EnableEnhancedMonitoring>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.SetEnhancedMonitoring(*address, *input->ShardLevelMetrics, true,
                                        [reply = std::move(reply)](StatusOr<core::MetricsUpdate> update) {
                                          if (!update.ok()) return ReplyError(reply, update.status());
                                          wire::EnhancedMonitoringOutput output;
                                          output.StreamName = update->name;
                                          output.StreamARN = update->arn;
                                          output.CurrentShardLevelMetrics = update->current;
                                          output.DesiredShardLevelMetrics = update->desired;
                                          ReplyWith(reply, output);
                                        });
}

}  // namespace riffle::handlers
