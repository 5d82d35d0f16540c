// RemoveTagsFromStream: removes tags by key; absent keys are ignored.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleRemoveTagsFromStream(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::RemoveTagsFromStream>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.RemoveTags(*address, std::move(*input->TagKeys), ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
