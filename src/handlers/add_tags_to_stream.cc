// AddTagsToStream: adds or overwrites tags (at most 50 per stream).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleAddTagsToStream(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::AddTagsToStream>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.AddTags(*address, std::move(*input->Tags), ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
