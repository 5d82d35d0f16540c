#include "store/jetstream/usage_channel.h"

#include "store/jetstream/names.h"

namespace riffle::store::jetstream {

UsageChannel::UsageChannel(Connection* connection, std::string prefix)
    : connection_(connection), subject_(UsageSubject(prefix)) {}

UsageChannel::~UsageChannel() { SetObserver(nullptr); }

void UsageChannel::Publish(std::string_view report) {
  std::string message = connection_->node_id();
  message.append(report);
  natsConnection_Publish(connection_->nc(), subject_.c_str(), message.data(), static_cast<int>(message.size()));
}

void UsageChannel::SetObserver(std::function<void(std::string_view)> observer) {
  NatsPtr<natsSubscription> gone;  // unsubscribed outside the lock: a running callback holds it
  {
    std::lock_guard<std::mutex> lock(mu_);
    observer_ = std::move(observer);
    if (observer_ && sub_ == nullptr) {
      natsSubscription* sub = nullptr;
      if (natsConnection_Subscribe(&sub, connection_->nc(), subject_.c_str(), &UsageChannel::OnMessage, this) ==
          NATS_OK) {
        sub_.reset(sub);
      }
    } else if (!observer_) {
      gone = std::move(sub_);
    }
  }
  // Unsubscribing stops deliveries that have not started; one already past
  // the lock finds observer_ empty.
}

void UsageChannel::OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<UsageChannel*>(closure);
  NatsPtr<natsMsg> owned(msg);
  std::string_view data(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  const std::string& id = self->connection_->node_id();
  if (data.size() < id.size() || data.substr(0, id.size()) == id) return;
  std::lock_guard<std::mutex> lock(self->mu_);
  if (self->observer_) self->observer_(data.substr(id.size()));
}

}  // namespace riffle::store::jetstream
