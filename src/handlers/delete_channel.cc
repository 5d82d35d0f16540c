// DeleteChannel: the channel goes DELETING, stops delivering, then
// disappears; what it delivered stays in the bucket.
#include "handlers/channel_wire.h"
#include "handlers/handler_support.h"
#include "handlers/handlers.h"

namespace riffle::handlers {

void HandleDeleteChannel(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DeleteChannel>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  ReplyWhenDone(std::move(reply))(context.channels->Delete(input->ChannelARN.value_or("")));
}

}  // namespace riffle::handlers
