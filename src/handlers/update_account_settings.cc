// UpdateAccountSettings: enables or disables the account's
// MinimumThroughputBillingCommitment in the request's region.
#include "handlers/account_settings_wire.h"
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleUpdateAccountSettings(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UpdateAccountSettings>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  // MinimumThroughputBillingCommitment.Status is required and ENABLED or DISABLED (validated).
  bool enable = input->MinimumThroughputBillingCommitment->Status == "ENABLED";
  context.streams.UpdateAccountSettings(context.scope.account_id, context.scope.region, enable,
                                        [reply = std::move(reply)](StatusOr<core::AccountSettings> settings) {
                                          if (!settings.ok()) return ReplyError(reply, settings.status());
                                          wire::UpdateAccountSettingsOutput output;
                                          output.MinimumThroughputBillingCommitment = CommitmentToWire(*settings);
                                          ReplyWith(reply, output);
                                        });
}

}  // namespace riffle::handlers
