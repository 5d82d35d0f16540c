// SubscribeToShard: an enhanced fan-out consumer's push subscription to one
// shard, answered with an event stream (handlers/shard_subscription.h).
#include "handlers/handler_support.h"
#include "handlers/handlers.h"
#include "handlers/shard_subscription.h"
#include "handlers/traffic_meter.h"

namespace riffle::handlers {

void HandleSubscribeToShard(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::SubscribeToShard>(body, reply);
  if (!input) return;
  auto consumer = ResolveConsumer(context, std::nullopt, std::nullopt, input->ConsumerARN, reply);
  if (!consumer) return;
  core::SubscriptionRequest request;
  request.stream = std::move(consumer->stream);
  request.consumer = std::move(consumer->name);
  request.consumer_created_seconds = consumer->created_seconds;
  request.shard_id = *input->ShardId;  // required: checked by validation
  const wire::StartingPosition& start = *input->StartingPosition;
  const std::string& type = *start.Type;  // required and enum-checked by validation
  if (type == "AT_SEQUENCE_NUMBER") {
    request.start.type = core::IteratorType::kAtSequenceNumber;
  } else if (type == "AFTER_SEQUENCE_NUMBER") {
    request.start.type = core::IteratorType::kAfterSequenceNumber;
  } else if (type == "TRIM_HORIZON") {
    request.start.type = core::IteratorType::kTrimHorizon;
  } else if (type == "AT_TIMESTAMP") {
    request.start.type = core::IteratorType::kAtTimestamp;
  } else {
    request.start.type = core::IteratorType::kLatest;
  }
  request.start.starting_sequence_number = start.SequenceNumber;
  request.start.timestamp_seconds = start.Timestamp;
  if (input->DryRun.value_or(false)) {
    // The subscription's checks without taking its lease: the consumer
    // exists, and the shard and starting position are valid.
    auto described = context.streams.DescribeConsumer(request.stream, request.consumer,
                                                      request.consumer_created_seconds);
    if (!described.ok()) return ReplyError(reply, described.status());
    return context.streams.GetShardIterator(request.stream, request.shard_id, request.start,
                                            [reply = std::move(reply)](StatusOr<std::string> iterator) {
                                              if (!iterator.ok()) return ReplyError(reply, iterator.status());
                                              reply(DryRunError());
                                            });
  }
  if (!context.stream_reply) {
    return reply(protocol::ApiError::InternalFailure("This endpoint cannot stream SubscribeToShard events."));
  }
  core::StreamService& streams = context.streams;
  core::StreamAddress address = request.stream;
  context.streams.Subscribe(request, [&streams, reply = std::move(reply), stream_reply = context.stream_reply,
                                      traffic = context.traffic,
                                      address = std::move(address)](StatusOr<core::Subscription> subscription) {
    if (traffic != nullptr) {
      const core::StreamAddress& stream = subscription.ok() ? subscription->stream : address;
      if (subscription.ok()) {
        traffic->Count(stream.account_id, stream.region, stream.name, {{TrafficMeter::kSubscribeToShardSuccess, 1}});
      } else if (subscription.status().code() == Errc::kResourceInUse ||
                 subscription.status().code() == Errc::kLimitExceeded) {
        // A consumer's second subscription to a shard, or one within 5 s of the last.
        traffic->Count(stream.account_id, stream.region, stream.name,
                       {{TrafficMeter::kSubscribeToShardRateExceeded, 1}});
      }
    }
    if (!subscription.ok()) return ReplyError(reply, subscription.status());
    stream_reply(std::make_shared<ShardSubscription>(streams, std::move(*subscription), traffic),
                 std::string(ShardSubscription::kContentType));
  });
}

}  // namespace riffle::handlers
