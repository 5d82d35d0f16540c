// MinimumThroughputBillingCommitment as Describe/UpdateAccountSettings
// answer it.
#pragma once

#include "core/stream_service.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

inline wire::MinimumThroughputBillingCommitmentOutput CommitmentToWire(const core::AccountSettings& settings) {
  wire::MinimumThroughputBillingCommitmentOutput out;
  out.Status = core::CommitmentStatusName(settings.status);
  if (settings.started_ms) out.StartedAt = ToSeconds(*settings.started_ms);
  if (settings.ended_ms) out.EndedAt = ToSeconds(*settings.ended_ms);
  if (settings.earliest_end_ms) out.EarliestAllowedEndAt = ToSeconds(*settings.earliest_end_ms);
  return out;
}

}  // namespace riffle::handlers
