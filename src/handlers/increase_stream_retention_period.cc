// IncreaseStreamRetentionPeriod: sets a stream's retention (24..8760 hours).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleIncreaseStreamRetentionPeriod(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::IncreaseStreamRetentionPeriod>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.IncreaseRetention(*address, *input->RetentionPeriodHours, ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
