// DescribeAccountSettings: the account's MinimumThroughputBillingCommitment
// in the request's region.
#include "handlers/account_settings_wire.h"
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDescribeAccountSettings(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DescribeAccountSettings>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  core::AccountSettings settings =
      context.streams.DescribeAccountSettings(context.scope.account_id, context.scope.region);
  wire::DescribeAccountSettingsOutput output;
  output.MinimumThroughputBillingCommitment = CommitmentToWire(settings);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
