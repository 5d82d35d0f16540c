// DeleteStream: the stream goes DELETING, then disappears with its records.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDeleteStream(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DeleteStream>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.DeleteStream(*address, input->EnforceConsumerDeletion.value_or(false),
                               ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
