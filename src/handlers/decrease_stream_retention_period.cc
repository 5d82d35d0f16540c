// DecreaseStreamRetentionPeriod: sets a stream's retention (24..8760 hours).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDecreaseStreamRetentionPeriod(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DecreaseStreamRetentionPeriod>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.DecreaseRetention(*address, *input->RetentionPeriodHours, ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
