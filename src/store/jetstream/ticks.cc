#include "store/jetstream/ticks.h"

#include <charconv>
#include <string_view>

#include "store/jetstream/names.h"

namespace riffle::store::jetstream {

Ticks::Ticks(Connection* connection, std::string prefix) : connection_(connection), prefix_(std::move(prefix)) {}

Ticks::~Ticks() {
  std::lock_guard<std::mutex> lock(mu_);
  watched_.clear();
}

void Ticks::SetObserver(std::function<void(ShardKey)> observer) { observer_ = std::move(observer); }

void Ticks::Publish(ShardKey shard) {
  const std::string subject = TickSubject(prefix_, shard);
  const std::string& id = connection_->node_id();
  natsConnection_Publish(connection_->nc(), subject.c_str(), id.data(), static_cast<int>(id.size()));
}

void Ticks::Watch(ShardKey shard, bool watch) {
  NatsPtr<natsSubscription> gone;  // unsubscribed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  Watched& w = watched_[shard];
  if (watch) {
    if (w.count++ == 0) {
      natsSubscription* sub = nullptr;
      const std::string subject = TickSubject(prefix_, shard);
      if (natsConnection_Subscribe(&sub, connection_->nc(), subject.c_str(), &Ticks::OnMessage, this) == NATS_OK) {
        w.sub.reset(sub);
      }
    }
    return;
  }
  if (w.count > 0 && --w.count > 0) return;
  gone = std::move(w.sub);
  watched_.erase(shard);
}

void Ticks::OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<Ticks*>(closure);
  NatsPtr<natsMsg> owned(msg);
  std::string_view from(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  if (from == self->connection_->node_id()) return;
  auto shard = ParseShardTokens(natsMsg_GetSubject(msg));
  if (shard && self->observer_) self->observer_(*shard);
}

}  // namespace riffle::store::jetstream
