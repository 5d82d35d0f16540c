// AnyStream: one client connection, plain TCP or TLS, behind one type that
// Beast and Asio's composed operations accept as an async stream; and the
// TLS client context a Client shares between its connections.
//
// TLS: TLS 1.2 or later, the peer's certificate verified against the
// system's trust store (or a PEM file) and matched to the host name or IP
// address (OpenSSL's X509_VERIFY_PARAM host/IP checks), SNI for names, ALPN
// as asked. Not thread-safe: use it from one strand. Internal to
// libriffle-kinesis.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "client/endpoint.h"
#include "riffle/kinesis/error.h"

namespace riffle::kinesis::internal {

// The ssl::context of a Client's https connections. kInvalidConfiguration
// when `ca_file` cannot be read.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const std::string& ca_file, bool verify);

class AnyStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using Socket = boost::asio::ip::tcp::socket;

  // `tls` null: plain TCP. The context must outlive the stream.
  AnyStream(executor_type executor, boost::asio::ssl::context* tls);
  ~AnyStream();
  AnyStream(const AnyStream&) = delete;
  AnyStream& operator=(const AnyStream&) = delete;

  executor_type get_executor() { return socket().get_executor(); }
  Socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  bool tls() const { return tls_ != nullptr; }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }
  }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

  // Resolves, connects (TCP_NODELAY) and, for TLS, handshakes offering the
  // ALPN protocols `alpn` (wire format: length-prefixed names; empty: no
  // ALPN). `done` gets nullopt or the failure: kTlsError for the handshake
  // and certificate checks, kNetworkError otherwise.
  void AsyncConnect(const Endpoint& endpoint, std::string alpn, std::function<void(std::optional<Error>)> done);

  // The ALPN protocol the server chose ("h2"), empty if none.
  std::string SelectedAlpn() const;

  // Closes the socket (pending operations complete with operation_aborted).
  void Close();
  bool is_open() { return socket().is_open(); }

  // For an idle keep-alive connection: false when the peer closed it or sent
  // something unasked (a plain socket peeked without blocking; TLS: any
  // pending bytes, such as a close_notify, count as closed).
  bool StillOpen();

 private:
  void Handshake(const Endpoint& endpoint, const std::string& alpn, std::function<void(std::optional<Error>)> done);

  std::optional<Socket> plain_;
  std::unique_ptr<boost::asio::ssl::stream<Socket>> tls_;
  boost::asio::ip::tcp::resolver resolver_;
};

}  // namespace riffle::kinesis::internal
