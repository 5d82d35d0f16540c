// DescribeChannel: one channel, by its ARN.
#include "handlers/channel_wire.h"
#include "handlers/handler_support.h"
#include "handlers/handlers.h"

namespace riffle::handlers {

void HandleDescribeChannel(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DescribeChannel>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  auto channel = context.channels->Describe(input->ChannelARN.value_or(""));
  if (!channel.ok()) return ReplyError(reply, channel.status());
  wire::DescribeChannelOutput output;
  output.ChannelDescription = ToWireChannel(*channel);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
