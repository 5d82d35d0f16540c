// ShardSubscription, the SubscribeToShard event stream: a record appended
// while a read is in flight reaches the subscriber at once, not at the next
// heartbeat (the read may not hold it, and the notification is spent).
#include "handlers/shard_subscription.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "core/fake_store_for_test.h"
#include "core/service_calls_for_test.h"
#include "core/stream_service.h"

namespace riffle::handlers {
namespace {

using core::IteratorType;

TEST(ShardSubscriptionTest, AnAppendDuringAReadIsReadAgainAtOnce) {
  core::FakeStore store;
  core::ManualClock clock{1700000000000};
  core::ServiceOptions options;
  options.subscription_ms = 60000;
  auto opened = core::StreamService::Open(store, clock, options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  core::StreamService& streams = **opened;
  const core::StreamAddress stream{"000000000000", "us-east-1", "s1"};
  streams.CreateStream(stream, 1, [](Status s) { ASSERT_TRUE(s.ok()); });
  int64_t created_s = 0;
  streams.RegisterConsumer(stream, "app", [&](StatusOr<core::ConsumerDescription> r) {
    ASSERT_TRUE(r.ok());
    created_s = r->created_ms / 1000;
  });
  core::SubscriptionRequest request;
  request.stream = stream;
  request.consumer = "app";
  request.consumer_created_seconds = created_s;
  request.shard_id = "shardId-000000000000";
  request.start.type = IteratorType::kLatest;
  auto subscription = core::SubscribeOf(streams, request);
  ASSERT_TRUE(subscription.ok()) << subscription.status().message();

  auto events = std::make_shared<ShardSubscription>(streams, *subscription);
  std::atomic<int> wakes{0};
  events->Start([&] { ++wakes; });
  std::string out;
  ASSERT_EQ(events->Pull(out).state, protocol::BodyStream::State::kData);  // initial-response

  // A read goes out and stays in flight; a record is appended meanwhile.
  std::function<void()> finish;
  store.hold_read = [&](std::function<void()> f) { finish = std::move(f); };
  out.clear();
  auto waiting = events->Pull(out);
  EXPECT_EQ(waiting.state, protocol::BodyStream::State::kWait);
  ASSERT_TRUE(finish);
  store.hold_read = nullptr;
  streams.PutRecords(stream, {{"pk", "late", std::nullopt}}, std::nullopt,
                     [](StatusOr<std::vector<core::PutResult>> r) { ASSERT_TRUE(r.ok()); });
  EXPECT_GE(wakes.load(), 1);  // the append was notified

  // The read ends without the record (it was taken before the append).
  finish();
  out.clear();
  auto after_read = events->Pull(out);
  ASSERT_EQ(after_read.state, protocol::BodyStream::State::kWait);
  EXPECT_TRUE(out.empty());
  // It must not wait for the heartbeat: the notification is spent.
  EXPECT_GE(after_read.retry_after_ms, 0);
  EXPECT_LT(after_read.retry_after_ms, ShardSubscription::kHeartbeatMs);
  // Pulled again (after that short wait), the record is sent.
  out.clear();
  EXPECT_EQ(events->Pull(out).state, protocol::BodyStream::State::kData);
  EXPECT_NE(out.find("bGF0ZQ=="), std::string::npos);  // "late", base64 in the event
  events->Cancel();
}

}  // namespace
}  // namespace riffle::handlers
