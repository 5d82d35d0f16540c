// ListStreamConsumers: a stream's consumers in name order, paged by NextToken.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleListStreamConsumers(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::ListStreamConsumers>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, std::nullopt, input->StreamARN, reply);
  if (!address) return;
  auto listed = context.streams.ListConsumers(*address, input->NextToken, input->MaxResults,
                                              input->StreamCreationTimestamp);
  if (!listed.ok()) return ReplyError(reply, listed.status());
  wire::ListStreamConsumersOutput output;
  output.Consumers.emplace();
  for (const core::ConsumerDescription& c : listed->consumers) output.Consumers->push_back(ToWireConsumer(c));
  output.NextToken = listed->next_token;
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
