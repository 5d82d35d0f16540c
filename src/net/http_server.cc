#include "net/http_server.h"

#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "net/http_connection.h"

namespace riffle::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using internal::Connection;
using internal::ServerCore;

// ---------------------------------------------------------------------------
// ServerCore

namespace internal {

ServerCore::ServerCore(const ServerOptions& options, RequestHandler& handler)
    : ioc_(options.threads > 0 ? options.threads : 1), options_(options), handler_(handler) {}

bool ServerCore::Register(std::shared_ptr<Connection> connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_.load()) return false;
  Connection* key = connection.get();
  connections_.emplace(key, std::move(connection));
  return true;
}

void ServerCore::Unregister(Connection* connection) {
  std::shared_ptr<Connection> removed;  // released after unlocking
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  removed = std::move(it->second);
  connections_.erase(it);
  if (stopping_.load() && connections_.empty()) cv_.notify_all();
}

std::vector<std::shared_ptr<Connection>> ServerCore::Connections() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Connection>> result;
  result.reserve(connections_.size());
  for (const auto& entry : connections_) result.push_back(entry.second);
  return result;
}

void ServerCore::EndRequest() {
  // seq_cst pairs with SetStopping() + WaitIdle(): either this thread sees
  // stopping_ and notifies, or the waiter sees the decremented count.
  if (in_flight_.fetch_sub(1) == 1 && stopping_.load()) Notify();
}

void ServerCore::ShutdownDone() {
  if (pending_shutdowns_.fetch_sub(1) == 1) Notify();
}

void ServerCore::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

bool ServerCore::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [this] {
    return in_flight_.load() == 0 && pending_shutdowns_.load() == 0;
  });
}

bool ServerCore::WaitNoConnections(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

}  // namespace internal

// ---------------------------------------------------------------------------
// HttpServer::Impl

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, RequestHandler& handler)
      : core_(std::make_shared<ServerCore>(options, handler)),
        acceptor_(asio::make_strand(core_->ioc())),
        retry_timer_(acceptor_.get_executor()) {}

  Status Start();
  uint16_t port() const { return port_; }
  void Stop(int grace_ms);

 private:
  enum class State { kNew, kRunning, kStopped };

  Status Listen();
  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  void RunThread();

  std::mutex mu_;  // serializes Start() and Stop()
  State state_ = State::kNew;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  // Declared after core_ so they are destroyed before its io_context.
  std::shared_ptr<ServerCore> core_;
  tcp::acceptor acceptor_;          // used on its own strand
  asio::steady_timer retry_timer_;  // back-off after accept errors
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
};

Status HttpServer::Impl::Listen() {
  const ServerOptions& options = core_->options();
  const std::string host = options.host.empty() ? "0.0.0.0" : options.host;
  const std::string where = host + ":" + std::to_string(options.port);
  error_code ec;
  tcp::resolver resolver(core_->ioc());
  auto results = resolver.resolve(host, std::to_string(options.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("cannot resolve listen address " + where + ": " +
                                   (ec ? ec.message() : "no address"));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto fail = [&](const char* step) {
    error_code ignored;
    acceptor_.close(ignored);
    std::string message = std::string("cannot ") + step + " " + where + ": " + ec.message();
    if (ec == asio::error::address_in_use) return Status::InUse(std::move(message));
    if (ec == boost::system::errc::address_not_available) return Status::InvalidArgument(std::move(message));
    return Status::Internal(std::move(message));
  };
  if (acceptor_.open(endpoint.protocol(), ec)) return fail("open socket for");
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec)) return fail("configure");
  if (acceptor_.bind(endpoint, ec)) return fail("bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen on");
  tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) return fail("query");
  port_ = local.port();
  return Status::Ok();
}

Status HttpServer::Impl::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kNew) return Status::Internal("HttpServer::Start() may be called only once");
  try {
    Status status = Listen();
    if (!status.ok()) return status;
    work_.emplace(core_->ioc().get_executor());
    asio::post(acceptor_.get_executor(), [this] { DoAccept(); });
    const int threads = core_->options().threads > 0 ? core_->options().threads : 1;
    state_ = State::kRunning;  // so that Stop() joins what was started if this throws
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { RunThread(); });
  } catch (const std::exception& e) {
    if (state_ == State::kRunning) {
      work_.reset();
      core_->ioc().stop();
      for (std::thread& t : threads_) t.join();
      threads_.clear();
    }
    state_ = State::kStopped;
    return Status::Internal(std::string("cannot start HTTP server: ") + e.what());
  }
  return Status::Ok();
}

void HttpServer::Impl::RunThread() {
  for (;;) {
    try {
      core_->ioc().run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: exception escaped an I/O handler: {}", e.what());
    } catch (...) {
      spdlog::error("http: non-std exception escaped an I/O handler");
    }
  }
}

void HttpServer::Impl::DoAccept() {
  // Each connection gets its own strand.
  acceptor_.async_accept(asio::make_strand(core_->ioc()),
                         [this](error_code ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void HttpServer::Impl::OnAccept(error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open() || core_->stopping()) return;
  if (ec) {
    // E.g. EMFILE: back off briefly instead of spinning.
    spdlog::warn("http: accept failed: {}", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([this](error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open() && !core_->stopping()) DoAccept();
    });
    return;
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto connection = std::make_shared<Connection>(core_.get(), std::move(socket));
  if (core_->Register(connection)) connection->Start();
  DoAccept();
}

void HttpServer::Impl::Stop(int grace_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kRunning) {
    state_ = State::kStopped;
    return;
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms > 0 ? grace_ms : 0);
  // 1. No new connections or requests.
  core_->SetStopping();
  asio::post(acceptor_.get_executor(), [this] {
    error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
  // 2. Idle connections close now, busy ones after their response.
  std::vector<std::shared_ptr<Connection>> connections = core_->Connections();
  core_->AddPendingShutdowns(static_cast<int64_t>(connections.size()));
  for (const auto& connection : connections) connection->Shutdown();
  connections.clear();
  // 3. Wait for in-flight requests (bounded by the grace period).
  if (!core_->WaitIdle(deadline)) {
    spdlog::warn("http: stopping with {} request(s) still in flight after {} ms",
                 core_->in_flight(), grace_ms);
  }
  // 4. Close whatever is left, give the strands a moment to run, stop.
  for (const auto& connection : core_->Connections()) connection->ForceClose();
  (void)core_->WaitNoConnections(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  work_.reset();
  core_->ioc().stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  error_code ignored;
  acceptor_.close(ignored);  // in case the posted close did not run
  state_ = State::kStopped;
}

// ---------------------------------------------------------------------------
// HttpServer

HttpServer::HttpServer(ServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() { return impl_->Start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop(int grace_ms) { impl_->Stop(grace_ms); }

}  // namespace riffle::net
