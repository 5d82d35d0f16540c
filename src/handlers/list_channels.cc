// ListChannels: the account's channels in the region, optionally of some
// streams only (StreamFilter), 100 at most per page.
#include "handlers/channel_wire.h"
#include "handlers/handler_support.h"
#include "handlers/handlers.h"

namespace riffle::handlers {

void HandleListChannels(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::ListChannels>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  std::vector<std::string> streams;
  for (const wire::StreamFilter& f : input->StreamFilter.value_or(std::vector<wire::StreamFilter>{})) {
    streams.push_back(f.StreamARN.value_or(""));
  }
  auto listing = context.channels->List(context.scope.account_id, context.scope.region, streams,
                                        input->MaxResults, input->NextToken);
  if (!listing.ok()) return ReplyError(reply, listing.status());
  wire::ListChannelsOutput output;
  output.ChannelSummaries.emplace();
  for (const core::ChannelView& c : listing->channels) output.ChannelSummaries->push_back(ToWireChannelSummary(c));
  output.NextToken = listing->next_token;
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
