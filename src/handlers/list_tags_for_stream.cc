// ListTagsForStream: tags in key order, paged by ExclusiveStartTagKey/Limit.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleListTagsForStream(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::ListTagsForStream>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  auto tags = context.streams.ListTags(*address, input->ExclusiveStartTagKey, input->Limit);
  if (!tags.ok()) return ReplyError(reply, tags.status());
  wire::ListTagsForStreamOutput output;
  output.Tags.emplace();
  for (auto& [key, value] : tags->tags) {
    wire::Tag tag;
    tag.Key = std::move(key);
    tag.Value = std::move(value);
    output.Tags->push_back(std::move(tag));
  }
  output.HasMoreTags = tags->has_more;
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
