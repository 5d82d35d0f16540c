// UpdateStreamMode: switches a stream between PROVISIONED and ON_DEMAND.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleUpdateStreamMode(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UpdateStreamMode>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, std::nullopt, input->StreamARN, reply);
  if (!address) return;
  // StreamModeDetails and its StreamMode are required and enumerated (validated).
  core::StreamMode mode = input->StreamModeDetails->StreamMode == "ON_DEMAND" ? core::StreamMode::kOnDemand
                                                                              : core::StreamMode::kProvisioned;
  context.streams.UpdateStreamMode(*address, mode, input->WarmThroughputMiBps, ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
