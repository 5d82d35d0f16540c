// TagResource: adds or overwrites tags of a stream or consumer (by ARN), at
// most 50 per resource. A stream's tags are those of AddTagsToStream.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleTagResource(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::TagResource>(body, reply);
  if (!input) return;
  auto resource = ResolveResource(context, *input->ResourceARN, reply);
  if (!resource) return;
  std::map<std::string, std::string> tags(input->Tags->begin(), input->Tags->end());
  context.streams.TagResource(*resource, std::move(tags), ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
