// CreateChannel: a channel that delivers a stream's records to an S3 bucket.
#include "handlers/channel_wire.h"
#include "handlers/handler_support.h"
#include "handlers/handlers.h"

namespace riffle::handlers {

void HandleCreateChannel(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::CreateChannel>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  auto channel = context.channels->Create(ToChannelRequest(*input, context.scope));
  if (!channel.ok()) return ReplyError(reply, channel.status());
  wire::CreateChannelOutput output;
  output.ChannelDescription = ToWireChannel(*channel);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
