#include "subscriber.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <riffle/kinesis/subscription.h>

#include "records_scan.h"

namespace riffle::bench {

using Clock = std::chrono::steady_clock;

namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

}  // namespace

kinesis::Result<std::string> RegisterConsumer(kinesis::Client& client, const std::string& stream_arn,
                                              const std::string& consumer_name) {
  auto registered = client.RegisterStreamConsumer({.StreamARN = stream_arn, .ConsumerName = consumer_name});
  if (!registered.ok()) return registered.error();
  if (!registered->Consumer || !registered->Consumer->ConsumerARN) {
    return kinesis::Error(kinesis::ErrorCode::kInvalidResponse, "RegisterStreamConsumer: no consumer ARN");
  }
  const std::string arn = *registered->Consumer->ConsumerARN;
  auto give_up = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto described = client.DescribeStreamConsumer({.ConsumerARN = arn});
    if (!described.ok()) return described.error();
    if (described->ConsumerDescription && described->ConsumerDescription->ConsumerStatus == "ACTIVE") return arn;
    if (Clock::now() > give_up) {
      return kinesis::Error(kinesis::ErrorCode::kTimeout, "consumer did not become ACTIVE within 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void RunSubscriber(SubscriberConfig config, SubscriberHooks hooks) {
  auto done = [&] { return config.stop->load(std::memory_order_relaxed) || Clock::now() >= config.stop_at; };
  std::string continuation;
  bool child_shards = false;
  while (!done() && !child_shards) {
    kinesis::SubscribeToShardInput in;
    in.ConsumerARN = config.consumer_arn;
    in.ShardId = config.shard_id;
    auto& position = in.StartingPosition.emplace();
    if (continuation.empty()) {
      position.Type = "LATEST";
    } else {
      position.Type = "AFTER_SEQUENCE_NUMBER";
      position.SequenceNumber = continuation;
    }
    std::mutex mutex;
    std::condition_variable ended;
    std::optional<kinesis::Result<kinesis::Empty>> end;
    kinesis::SubscriptionHandlers handlers;
    // on_event runs on the client's I/O thread, one event at a time;
    // `continuation` and `child_shards` are read here only after on_end.
    handlers.on_event = [&](kinesis::SubscribeToShardEvent event) {
      const int64_t seen = NowNanos();
      for (const kinesis::Record& r : event.Records.value_or(std::vector<kinesis::Record>{})) {
        if (auto sent = SentTime(r.Data.value_or(""))) hooks.on_record(*sent, seen);
      }
      if (event.ContinuationSequenceNumber) continuation = *event.ContinuationSequenceNumber;
      if (event.ChildShards && !event.ChildShards->empty()) child_shards = true;
    };
    handlers.on_end = [&](kinesis::Result<kinesis::Empty> result) {
      std::lock_guard lock(mutex);
      end = std::move(result);
      ended.notify_all();
    };
    auto subscription = config.client->SubscribeToShard(in, handlers);
    if (!subscription.ok()) {
      hooks.on_error(fmt::format("SubscribeToShard {} {}", subscription.error().http_status(),
                                 subscription.error().type()));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    hooks.on_subscribe();
    {
      std::unique_lock lock(mutex);
      while (!end && !done()) ended.wait_until(lock, std::min(config.stop_at, Clock::now() + std::chrono::milliseconds(100)));
    }
    (*subscription)->Close();
    subscription->reset();  // waits until the handlers returned
    if (end && !end->ok() && !done() && end->error().code() != kinesis::ErrorCode::kCancelled) {
      hooks.on_error("subscription " + end->error().type());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace riffle::bench
