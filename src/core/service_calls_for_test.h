// Synchronous forms of StreamService's asynchronous calls, for core unit
// tests (only *_test.cc files include it). Each waits (at most 10 s) for the
// callback, which may run inline or on the service's background thread.
#pragma once

#include <chrono>
#include <future>
#include <string>

#include "core/stream_service.h"

namespace riffle::core {

template <typename T, typename Call>
StatusOr<T> AwaitCall(Call&& call) {
  auto promise = std::make_shared<std::promise<StatusOr<T>>>();
  std::future<StatusOr<T>> future = promise->get_future();
  call([promise](StatusOr<T> result) { promise->set_value(std::move(result)); });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return Status::Internal("no answer within 10 s");
  }
  return future.get();
}

inline StatusOr<std::string> IteratorOf(StreamService& service, const StreamAddress& address,
                                        const std::string& shard_id, const IteratorRequest& request) {
  return AwaitCall<std::string>([&](auto done) { service.GetShardIterator(address, shard_id, request, done); });
}

inline StatusOr<RecordsPage> RecordsOf(StreamService& service, const std::string& iterator,
                                       std::optional<int64_t> limit, uint64_t max_bytes = UINT64_MAX) {
  return AwaitCall<RecordsPage>([&](auto done) { service.GetRecords(iterator, limit, max_bytes, done); });
}

inline StatusOr<Subscription> SubscribeOf(StreamService& service, const SubscriptionRequest& request) {
  return AwaitCall<Subscription>([&](auto done) { service.Subscribe(request, done); });
}

// Reads the subscription and advances its cursor, as ShardSubscription does.
inline StatusOr<SubscriptionBatch> ReadOf(StreamService& service, Subscription& subscription, int64_t max_records,
                                          uint64_t max_bytes) {
  auto batch = AwaitCall<SubscriptionBatch>(
      [&](auto done) { service.ReadSubscription(subscription, max_records, max_bytes, done); });
  if (batch.ok() && !batch->next_cursor.empty()) subscription.cursor = batch->next_cursor;
  return batch;
}

}  // namespace riffle::core
