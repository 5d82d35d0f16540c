#include "client/any_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>

namespace riffle::kinesis::internal {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const std::string& ca_file, bool verify) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (!verify) {
    context->set_verify_mode(ssl::verify_none, ec);
    return context;
  }
  context->set_verify_mode(ssl::verify_peer, ec);
  if (!ca_file.empty()) {
    context->load_verify_file(ca_file, ec);
    if (ec) {
      return Error(ErrorCode::kInvalidConfiguration, "CA bundle " + ca_file + ": " + ec.message());
    }
  } else {
    context->set_default_verify_paths(ec);
    if (ec) return Error(ErrorCode::kInvalidConfiguration, "system trust store: " + ec.message());
  }
  return context;
}

AnyStream::AnyStream(executor_type executor, ssl::context* tls)
    : resolver_(executor) {
  if (tls) {
    tls_ = std::make_unique<ssl::stream<Socket>>(Socket(executor), *tls);
  } else {
    plain_.emplace(executor);
  }
}

AnyStream::~AnyStream() { Close(); }

void AnyStream::Close() {
  resolver_.cancel();
  boost::system::error_code ignored;
  Socket& s = socket();
  if (s.is_open()) {
    s.shutdown(tcp::socket::shutdown_both, ignored);
    s.close(ignored);
  }
}

bool AnyStream::StillOpen() {
  Socket& s = socket();
  if (!s.is_open()) return false;
  if (tls_ && SSL_pending(tls_->native_handle()) > 0) return false;
  char byte;
  ssize_t n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;                                  // the peer closed it
  if (n > 0) return false;                                   // unasked bytes: not a clean idle connection
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

std::string AnyStream::SelectedAlpn() const {
  if (!tls_) return {};
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(tls_->native_handle(), &data, &length);
  return data ? std::string(reinterpret_cast<const char*>(data), length) : std::string();
}

void AnyStream::AsyncConnect(const Endpoint& endpoint, std::string alpn,
                             std::function<void(std::optional<Error>)> done) {
  resolver_.async_resolve(
      endpoint.host, std::to_string(endpoint.port),
      [this, endpoint, alpn = std::move(alpn), done = std::move(done)](
          const boost::system::error_code& ec, tcp::resolver::results_type results) mutable {
        if (ec) {
          done(Error(ErrorCode::kNetworkError, "resolving " + endpoint.host + ": " + ec.message()));
          return;
        }
        asio::async_connect(
            socket(), results,
            [this, endpoint, alpn = std::move(alpn), done = std::move(done)](const boost::system::error_code& ec,
                                                                             const tcp::endpoint&) mutable {
              if (ec) {
                done(Error(ErrorCode::kNetworkError, "connecting to " + endpoint.authority + ": " + ec.message()));
                return;
              }
              boost::system::error_code ignored;
              socket().set_option(tcp::no_delay(true), ignored);
              if (!tls_) {
                done(std::nullopt);
                return;
              }
              Handshake(endpoint, alpn, std::move(done));
            });
      });
}

void AnyStream::Handshake(const Endpoint& endpoint, const std::string& alpn,
                          std::function<void(std::optional<Error>)> done) {
  SSL* native = tls_->native_handle();
  boost::system::error_code address_error;
  asio::ip::make_address(endpoint.host, address_error);
  const bool is_address = !address_error;
  X509_VERIFY_PARAM* param = SSL_get0_param(native);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (is_address) {
    X509_VERIFY_PARAM_set1_ip_asc(param, endpoint.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, endpoint.host.c_str(), 0);
    SSL_set_tlsext_host_name(native, endpoint.host.c_str());  // SNI (names only, RFC 6066)
  }
  if (!alpn.empty()) {
    SSL_set_alpn_protos(native, reinterpret_cast<const unsigned char*>(alpn.data()),
                        static_cast<unsigned>(alpn.size()));
  }
  tls_->async_handshake(ssl::stream_base::client, [this, endpoint, done = std::move(done)](
                                                      const boost::system::error_code& ec) {
    if (!ec) {
      done(std::nullopt);
      return;
    }
    std::string why = ec.message();
    long verify = SSL_get_verify_result(tls_->native_handle());
    if (verify != X509_V_OK) why = std::string("certificate verification failed: ") +
                                   X509_verify_cert_error_string(verify);
    done(Error(ErrorCode::kTlsError, "TLS handshake with " + endpoint.authority + ": " + why));
  });
}

}  // namespace riffle::kinesis::internal
