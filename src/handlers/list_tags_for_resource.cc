// ListTagsForResource: every tag of a stream or consumer (by ARN), in key order.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleListTagsForResource(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::ListTagsForResource>(body, reply);
  if (!input) return;
  auto resource = ResolveResource(context, *input->ResourceARN, reply);
  if (!resource) return;
  auto tags = context.streams.ListResourceTags(*resource);
  if (!tags.ok()) return ReplyError(reply, tags.status());
  wire::ListTagsForResourceOutput output;
  output.Tags.emplace();
  for (auto& [key, value] : *tags) {
    wire::Tag tag;
    tag.Key = key;
    tag.Value = value;
    output.Tags->push_back(std::move(tag));
  }
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
