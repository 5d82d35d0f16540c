#include "client/connection_pool.h"

#include <algorithm>
#include <utility>

namespace riffle::kinesis::internal {

ConnectionPool::ConnectionPool(boost::asio::io_context& io, Endpoint endpoint, boost::asio::ssl::context* tls,
                               size_t max_connections, ConnectionTimeouts timeouts)
    : io_(io),
      endpoint_(std::move(endpoint)),
      tls_(tls),
      max_connections_(std::max<size_t>(1, max_connections)),
      timeouts_(timeouts) {}

ConnectionPool::~ConnectionPool() { Close(); }

std::shared_ptr<Http1Connection> ConnectionPool::NewConnection() {
  auto connection = std::make_shared<Http1Connection>(io_, endpoint_, tls_, timeouts_);
  std::erase_if(all_, [](const std::weak_ptr<Http1Connection>& w) { return w.expired(); });
  all_.push_back(connection);
  ++open_;
  return connection;
}

void ConnectionPool::Acquire(Lease lease) {
  std::shared_ptr<Http1Connection> connection;
  std::vector<std::shared_ptr<Http1Connection>> stale;
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      const auto now = std::chrono::steady_clock::now();
      while (!idle_.empty() && !connection) {
        auto candidate = std::move(idle_.back());
        idle_.pop_back();
        if (candidate->Reusable(now, kMaxIdle)) {
          connection = std::move(candidate);
        } else {
          stale.push_back(std::move(candidate));
          --open_;
        }
      }
      if (!connection && open_ < max_connections_) connection = NewConnection();
      if (!connection) {
        waiting_.push_back(std::move(lease));
        lease = nullptr;
      }
    }
  }
  for (auto& c : stale) c->Close();
  if (lease) lease(std::move(connection));
}

void ConnectionPool::Release(std::shared_ptr<Http1Connection> connection, bool reusable) {
  Lease next;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      reusable = false;
    } else if (!waiting_.empty()) {
      next = std::move(waiting_.front());
      waiting_.pop_front();
      if (!reusable) {
        --open_;
        connection->Close();
        connection = NewConnection();
      }
    } else if (reusable) {
      idle_.push_back(std::move(connection));
      return;
    }
    if (!next) --open_;
  }
  if (next) {
    next(std::move(connection));
  } else {
    connection->Close();
  }
}

void ConnectionPool::Close() {
  std::vector<std::shared_ptr<Http1Connection>> all;
  std::deque<Lease> waiting;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& w : all_) {
      if (auto c = w.lock()) all.push_back(std::move(c));
    }
    all_.clear();
    idle_.clear();
    waiting.swap(waiting_);
  }
  for (auto& c : all) c->Close();
  for (auto& lease : waiting) lease(nullptr);
}

size_t ConnectionPool::open_connections() const {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace riffle::kinesis::internal
