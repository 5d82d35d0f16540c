// riffle-bench produce-consume --via subscribe: the enhanced fan-out side.
// One registered consumer per stream, one SubscribeToShard subscription per
// shard over its own HTTP/1.1 connection; every record's first 8 bytes carry
// the producer's steady-clock send time, so the subscriber measures
// put start -> event received.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>

#include "client/connection.h"
#include "client/sigv4.h"

namespace riffle::bench {

// RegisterStreamConsumer on `stream_arn` (or reuse the consumer if it is
// already registered under that name), then DescribeStreamConsumer until it is
// ACTIVE. Returns its ARN; an error message on failure or after 60 s.
StatusOr<std::string> RegisterConsumer(client::SyncClient& client, const std::string& stream_arn,
                                       const std::string& consumer_name);

struct SubscriberConfig {
  client::Endpoint endpoint;
  client::Credentials credentials;
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

// Subscribes at LATEST, then follows the shard: when a subscription ends (its
// 5 minutes are up, or an exception message), resubscribes AFTER_SEQUENCE_NUMBER
// of the last ContinuationSequenceNumber. Returns at stop_at or after ChildShards.
boost::asio::awaitable<void> RunSubscriber(SubscriberConfig config, SubscriberHooks hooks);

}  // namespace riffle::bench
