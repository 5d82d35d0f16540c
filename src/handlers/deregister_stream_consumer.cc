// DeregisterStreamConsumer: the consumer goes DELETING, then disappears.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDeregisterStreamConsumer(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DeregisterStreamConsumer>(body, reply);
  if (!input) return;
  auto ref = ResolveConsumer(context, input->StreamARN, input->ConsumerName, input->ConsumerARN, reply);
  if (!ref) return;
  context.streams.DeregisterConsumer(ref->stream, ref->name, ref->created_seconds, ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
