#include "subscriber.h"

#include <cstring>
#include <memory>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "client/fanout_requests.h"
#include "client/requests.h"
#include "client/subscription.h"
#include "protocol/base64.h"

namespace riffle::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace riffle::client;

namespace {

int64_t NowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

asio::awaitable<void> Sleep(asio::any_io_executor ex, Clock::duration d) {
  asio::steady_timer timer(ex);
  timer.expires_after(d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

StatusOr<std::string> RegisterConsumer(SyncClient& client, const std::string& stream_arn,
                                       const std::string& consumer_name) {
  auto registered = client.Call("RegisterStreamConsumer", RegisterStreamConsumerBody(stream_arn, consumer_name));
  if (!registered.ok()) return registered.status();
  std::string arn;
  if (registered->status == 200) {
    auto consumer = ParseConsumer(registered->body);
    if (!consumer) return Status::Internal("RegisterStreamConsumer: unreadable response " + registered->body);
    arn = consumer->arn;
  } else {
    return Status::Internal(fmt::format("RegisterStreamConsumer: HTTP {} {}", registered->status, registered->body));
  }
  auto give_up = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto described = client.Call("DescribeStreamConsumer", DescribeStreamConsumerBody(arn));
    if (!described.ok()) return described.status();
    auto consumer = described->status == 200 ? ParseConsumer(described->body) : std::nullopt;
    if (consumer && consumer->status == "ACTIVE") return arn;
    if (Clock::now() > give_up) return Status::Internal("consumer did not become ACTIVE: " + described->body);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

asio::awaitable<void> RunSubscriber(SubscriberConfig config, SubscriberHooks hooks) {
  auto ex = co_await asio::this_coro::executor;
  auto subscription = std::make_shared<Subscription>(ex, config.endpoint, config.credentials);
  // Closing the socket at stop_at ends a Next() that would otherwise wait for
  // the next event (up to 5 s for an empty one).
  auto stopped = std::make_shared<bool>(false);
  asio::co_spawn(
      ex,
      [subscription, stopped, stop_at = config.stop_at]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_at(stop_at);
        co_await timer.async_wait(asio::use_awaitable);
        *stopped = true;
        subscription->Close();
      },
      asio::detached);
  auto done = [&] { return *stopped || config.stop->load(std::memory_order_relaxed) || Clock::now() >= config.stop_at; };

  std::string continuation;
  EventMessage message;
  while (!done()) {
    std::string body = continuation.empty()
                           ? SubscribeToShardBody(config.consumer_arn, config.shard_id, "LATEST")
                           : SubscribeToShardBody(config.consumer_arn, config.shard_id, "AFTER_SEQUENCE_NUMBER",
                                                  continuation);
    std::string failure;
    bool child_shards = false;
    try {
      int status = co_await subscription->Start(body);
      if (status != 200) {
        failure = fmt::format("SubscribeToShard HTTP {} {}", status, ErrorType(subscription->error_body()));
      } else {
        hooks.on_subscribe();
        while (co_await subscription->Next(message)) {
          int64_t seen = NowNs();
          if (message.Header(":message-type") == "exception") {
            failure = "subscription exception " + std::string(message.Header(":exception-type"));
            break;
          }
          if (message.Header(":event-type") != "SubscribeToShardEvent") continue;  // initial-response
          auto event = ParseSubscribeToShardEvent(message.payload, [&](std::string_view data) {
            if (data.size() < 12) return;
            auto head = protocol::Base64Decode(data.substr(0, 12));
            if (!head || head->size() < 8) return;
            int64_t sent = 0;
            std::memcpy(&sent, head->data(), sizeof(sent));
            hooks.on_record(sent, seen);
          });
          if (!event) {
            failure = "unreadable SubscribeToShardEvent";
            break;
          }
          if (!event->continuation_sequence_number.empty()) continuation = event->continuation_sequence_number;
          if (event->has_child_shards) child_shards = true;
        }
      }
    } catch (const std::exception& e) {
      if (!done()) failure = std::string("subscription transport: ") + e.what();
    }
    if (child_shards) break;
    if (!failure.empty()) {
      hooks.on_error(failure);
      subscription->Close();
      if (!done()) co_await Sleep(ex, std::chrono::milliseconds(200));
    }
  }
  subscription->Close();
}

}  // namespace riffle::bench
