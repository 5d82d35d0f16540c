// RegisterStreamConsumer: a named enhanced fan-out consumer of a stream.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleRegisterStreamConsumer(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::RegisterStreamConsumer>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, std::nullopt, input->StreamARN, reply);
  if (!address) return;
  std::map<std::string, std::string> tags;
  if (input->Tags) tags.insert(input->Tags->begin(), input->Tags->end());
  context.streams.RegisterConsumer(*address, *input->ConsumerName,
                                   [reply = std::move(reply)](StatusOr<core::ConsumerDescription> consumer) {
                                     if (!consumer.ok()) return ReplyError(reply, consumer.status());
                                     wire::RegisterStreamConsumerOutput output;
                                     output.Consumer = ToWireConsumer(*consumer);
                                     ReplyWith(reply, output);
                                   },
                                   std::move(tags));
}

}  // namespace riffle::handlers
