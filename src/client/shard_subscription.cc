// Client::SubscribeToShard and ShardSubscription: the public face of
// H2Subscription.
#include "client/client_codec.h"
#include "client/client_core.h"
#include "client/h2_subscription.h"
#include "riffle/kinesis/client.h"
#include "riffle/kinesis/subscription.h"

namespace riffle::kinesis {

namespace {

Result<std::unique_ptr<ShardSubscription>> Subscribe(internal::ClientCore& core, const SubscribeToShardInput& request,
                                                     SubscriptionHandlers handlers,
                                                     std::unique_ptr<ShardSubscription> (*wrap)(
                                                         std::shared_ptr<internal::H2Subscription>)) {
  if (core.OnIoThread()) {
    return Error(ErrorCode::kInvalidRequest, "SubscribeToShard blocks: not from the client's own I/O thread");
  }
  auto impl = std::make_shared<internal::H2Subscription>(core, std::move(handlers));
  if (auto error = impl->Start(codec::EncodeJson(request))) {
    impl->WaitEnded();
    return *error;
  }
  return wrap(std::move(impl));
}

}  // namespace

ShardSubscription::ShardSubscription(std::shared_ptr<internal::H2Subscription> impl) : impl_(std::move(impl)) {}

ShardSubscription::~ShardSubscription() {
  impl_->Close();
  impl_->WaitEnded();
}

Result<std::optional<SubscribeToShardEvent>> ShardSubscription::Next() { return impl_->Next(); }

void ShardSubscription::Close() { impl_->Close(); }

Result<std::unique_ptr<ShardSubscription>> Client::SubscribeToShard(const SubscribeToShardInput& request) {
  return SubscribeToShard(request, SubscriptionHandlers{});
}

Result<std::unique_ptr<ShardSubscription>> Client::SubscribeToShard(const SubscribeToShardInput& request,
                                                                    SubscriptionHandlers handlers) {
  return Subscribe(*core_, request, std::move(handlers), [](std::shared_ptr<internal::H2Subscription> impl) {
    return std::unique_ptr<ShardSubscription>(new ShardSubscription(std::move(impl)));
  });
}

}  // namespace riffle::kinesis
