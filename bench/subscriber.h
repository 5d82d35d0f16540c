// riffle-bench produce-consume --via subscribe: the enhanced fan-out side.
// One registered consumer per stream, one SubscribeToShard subscription per
// shard (the library's HTTP/2 subscription, events handed over on its I/O
// thread); every record's first 8 bytes carry the producer's steady-clock
// send time, so the subscriber measures put start -> event received.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <riffle/kinesis/client.h>

namespace riffle::bench {

// RegisterStreamConsumer on `stream_arn`, then DescribeStreamConsumer until
// it is ACTIVE. Its ARN; an error on failure or after 60 s.
kinesis::Result<std::string> RegisterConsumer(kinesis::Client& client, const std::string& stream_arn,
                                              const std::string& consumer_name);

struct SubscriberConfig {
  std::shared_ptr<kinesis::Client> client;
  std::string consumer_arn;
  std::string shard_id;
  std::chrono::steady_clock::time_point stop_at;  // the subscription is closed then
  const std::atomic<bool>* stop = nullptr;
};

struct SubscriberHooks {
  // Per record carrying a send time: that time and the event's arrival (steady clock ns).
  std::function<void(int64_t sent_ns, int64_t seen_ns)> on_record;
  std::function<void(std::string type)> on_error;
  std::function<void()> on_subscribe;  // per successful SubscribeToShard
};

// Blocking (run it on a thread of its own): subscribes at LATEST, then
// follows the shard: when a subscription ends (its 5 minutes are up, or an
// exception), resubscribes AFTER_SEQUENCE_NUMBER of the last
// ContinuationSequenceNumber. Returns at stop_at or after ChildShards.
void RunSubscriber(SubscriberConfig config, SubscriberHooks hooks);

}  // namespace riffle::bench
