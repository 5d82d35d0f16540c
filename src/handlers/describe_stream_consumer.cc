// DescribeStreamConsumer: one consumer, by ConsumerARN or StreamARN + ConsumerName.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleDescribeStreamConsumer(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::DescribeStreamConsumer>(body, reply);
  if (!input) return;
  auto ref = ResolveConsumer(context, input->StreamARN, input->ConsumerName, input->ConsumerARN, reply);
  if (!ref) return;
  auto consumer = context.streams.DescribeConsumer(ref->stream, ref->name, ref->created_seconds);
  if (!consumer.ok()) return ReplyError(reply, consumer.status());
  wire::DescribeStreamConsumerOutput output;
  output.ConsumerDescription.emplace();
  output.ConsumerDescription->ConsumerName = consumer->name;
  output.ConsumerDescription->ConsumerARN = consumer->arn;
  output.ConsumerDescription->ConsumerStatus = core::ConsumerStatusName(consumer->status);
  output.ConsumerDescription->ConsumerCreationTimestamp = ToSeconds(consumer->created_ms);
  output.ConsumerDescription->StreamARN = consumer->stream_arn;
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
