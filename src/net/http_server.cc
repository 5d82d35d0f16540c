#include "net/http_server.h"

#include <algorithm>
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

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/http2_session.h"
#include "net/http_connection.h"
#include "net/server_core.h"
#include "net/tls_context.h"

namespace riffle::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
namespace beast = boost::beast;
using internal::Connection;
using internal::Http2Session;
using internal::ServerCore;
using internal::Session;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// ServerCore

namespace internal {

ServerCore::ServerCore(const ServerOptions& options, RequestHandler& handler)
    : ioc_(options.threads > 0 ? options.threads : 1), options_(options), handler_(handler) {}

bool ServerCore::Register(std::shared_ptr<Session> connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_.load()) return false;
  Session* key = connection.get();
  connections_.emplace(key, std::move(connection));
  return true;
}

void ServerCore::Unregister(Session* connection) {
  std::shared_ptr<Session> removed;  // released after unlocking
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  removed = std::move(it->second);
  connections_.erase(it);
  if (stopping_.load() && connections_.empty()) cv_.notify_all();
}

std::vector<std::shared_ptr<Session>> ServerCore::Connections() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Session>> result;
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

size_t ServerCore::ConnectionCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_.size() + static_cast<size_t>(std::max<int64_t>(0, handshakes_.load()));
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
        tls_acceptor_(acceptor_.get_executor()) {}

  Status Start();
  uint16_t port() const { return port_; }
  const std::shared_ptr<ServerCore>& core() const { return core_; }
  uint16_t tls_port() const { return tls_port_; }
  Status ReloadTls();
  void Stop(int grace_ms);

 private:
  enum class State { kNew, kRunning, kStopped };

  Status Listen(tcp::acceptor& acceptor, uint16_t port, uint16_t* bound);
  void DoAccept(tcp::acceptor& acceptor);
  void OnAccept(tcp::acceptor& acceptor, error_code ec, tcp::socket socket);
  void StartTls(tcp::socket socket);
  void RunThread();

  std::mutex mu_;  // serializes Start() and Stop()
  State state_ = State::kNew;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  std::mutex tls_mu_;  // guards tls_context_ (replaced by ReloadTls)
  std::shared_ptr<asio::ssl::context> tls_context_;  // null without TLS
  std::vector<std::thread> threads_;
  // Declared after core_ so they are destroyed before its io_context.
  std::shared_ptr<ServerCore> core_;
  tcp::acceptor acceptor_;          // used on its own strand
  tcp::acceptor tls_acceptor_;      // on the same strand; open only with TLS
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
};

Status HttpServer::Impl::Listen(tcp::acceptor& acceptor, uint16_t port, uint16_t* bound) {
  const ServerOptions& options = core_->options();
  const std::string host = options.host.empty() ? "0.0.0.0" : options.host;
  const std::string where = host + ":" + std::to_string(port);
  error_code ec;
  tcp::resolver resolver(core_->ioc());
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("cannot resolve listen address " + where + ": " +
                                   (ec ? ec.message() : "no address"));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto fail = [&](const char* step) {
    error_code ignored;
    acceptor.close(ignored);
    std::string message = std::string("cannot ") + step + " " + where + ": " + ec.message();
    if (ec == asio::error::address_in_use) return Status::InUse(std::move(message));
    if (ec == boost::system::errc::address_not_available) return Status::InvalidArgument(std::move(message));
    return Status::Internal(std::move(message));
  };
  if (acceptor.open(endpoint.protocol(), ec)) return fail("open socket for");
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return fail("configure");
  if (acceptor.bind(endpoint, ec)) return fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen on");
  tcp::endpoint local = acceptor.local_endpoint(ec);
  if (ec) return fail("query");
  *bound = local.port();
  return Status::Ok();
}

Status HttpServer::Impl::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kNew) return Status::Internal("HttpServer::Start() may be called only once");
  try {
    const ServerOptions& options = core_->options();
    if (!options.tls_cert_file.empty()) {
      Status tls = MakeServerTlsContext(options.tls_cert_file, options.tls_key_file, &tls_context_);
      if (!tls.ok()) return tls;
    }
    Status status = options.tls_only ? Status::Ok() : Listen(acceptor_, options.port, &port_);
    if (!status.ok()) return status;
    if (tls_context_) {
      status = Listen(tls_acceptor_, options.tls_port, &tls_port_);
      if (!status.ok()) {
        error_code ignored;
        acceptor_.close(ignored);
        return status;
      }
    }
    work_.emplace(core_->ioc().get_executor());
    asio::post(acceptor_.get_executor(), [this] {
      if (acceptor_.is_open()) DoAccept(acceptor_);
      if (tls_acceptor_.is_open()) DoAccept(tls_acceptor_);
    });
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

void HttpServer::Impl::DoAccept(tcp::acceptor& acceptor) {
  // Each connection gets its own strand.
  acceptor.async_accept(asio::make_strand(core_->ioc()),
                        [this, &acceptor](error_code ec, tcp::socket socket) {
                          OnAccept(acceptor, ec, std::move(socket));
                        });
}

void HttpServer::Impl::OnAccept(tcp::acceptor& acceptor, error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open() || core_->stopping()) return;
  if (ec) {
    // E.g. EMFILE: back off briefly instead of spinning.
    spdlog::warn("http: accept failed: {}", ec.message());
    auto timer = std::make_shared<asio::steady_timer>(acceptor.get_executor());
    timer->expires_after(std::chrono::milliseconds(50));
    timer->async_wait([this, &acceptor, timer](error_code) {
      if (acceptor.is_open() && !core_->stopping()) DoAccept(acceptor);
    });
    return;
  }
  error_code ignored;
  const size_t max_connections = core_->options().max_connections;
  if (max_connections > 0 && core_->ConnectionCount() >= max_connections) {
    // Over the limit: accept and close at once (the client sees the
    // connection closed, not a queue); open connections keep working.
    spdlog::debug("http: connection limit ({}) reached: closing a new connection", max_connections);
    socket.close(ignored);
    DoAccept(acceptor);
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  if (&acceptor == &tls_acceptor_) {
    StartTls(std::move(socket));
  } else {
    auto connection = std::make_shared<Connection<PlainStream>>(core_.get(), PlainStream(std::move(socket)));
    if (core_->Register(connection)) connection->Start();
  }
  DoAccept(acceptor);
}

void HttpServer::Impl::StartTls(tcp::socket socket) {
  // The handshake runs outside the registry (bounded by its timeout); the
  // session ALPN asks for is registered once it completed.
  std::shared_ptr<asio::ssl::context> context;
  {
    std::lock_guard<std::mutex> lock(tls_mu_);
    context = tls_context_;
  }
  // The SSL object holds its own reference to the SSL_CTX, so a reload may
  // drop `context` while this connection lives on.
  auto stream = std::make_shared<TlsStream>(PlainStream(std::move(socket)), *context);
  // A TLS handshake is part of the request header for the header timeout.
  beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(core_->options().header_timeout_seconds));
  core_->BeginHandshake();
  stream->async_handshake(
      asio::ssl::stream_base::server, [core = core_, stream](error_code ec) {
        core->EndHandshake();
        if (ec) {
          spdlog::debug("http: TLS handshake failed: {}", ec.message());
          return;
        }
        if (core->stopping()) return;
        beast::get_lowest_layer(*stream).expires_never();
        std::shared_ptr<Session> session;
        if (SelectedAlpn(stream->native_handle()) == "h2") {
          session = std::make_shared<Http2Session<TlsStream>>(core.get(), std::move(*stream), std::string());
        } else {
          session = std::make_shared<Connection<TlsStream>>(core.get(), std::move(*stream));
        }
        if (core->Register(session)) session->Start();
      });
}

Status HttpServer::Impl::ReloadTls() {
  const ServerOptions& options = core_->options();
  if (options.tls_cert_file.empty()) return Status::Ok();
  std::shared_ptr<asio::ssl::context> fresh;
  Status status = MakeServerTlsContext(options.tls_cert_file, options.tls_key_file, &fresh);
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(tls_mu_);
  tls_context_.swap(fresh);
  return Status::Ok();
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
    tls_acceptor_.close(ignored);
  });
  // 2. Idle connections close now, busy ones after their response.
  std::vector<std::shared_ptr<Session>> connections = core_->Connections();
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
  tls_acceptor_.close(ignored);
  state_ = State::kStopped;
}

// ---------------------------------------------------------------------------
// HttpServer

HttpServer::HttpServer(ServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() { return impl_->Start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

uint16_t HttpServer::tls_port() const { return impl_->tls_port(); }

size_t HttpServer::open_connections() const { return impl_->core()->ConnectionCount(); }

int64_t HttpServer::in_flight() const { return impl_->core()->in_flight(); }

Status HttpServer::ReloadTls() { return impl_->ReloadTls(); }

void HttpServer::Stop(int grace_ms) { impl_->Stop(grace_ms); }

}  // namespace riffle::net
