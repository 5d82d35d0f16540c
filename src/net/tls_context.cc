#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace riffle::net {

namespace ssl = boost::asio::ssl;

namespace {

// ALPN wire format: length-prefixed names, in the server's preference order.
constexpr unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpn, sizeof(kAlpn), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    // No common protocol (e.g. only "http/1.0"): continue without ALPN;
    // the connection then speaks HTTP/1.1.
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

}  // namespace

Status MakeServerTlsContext(const std::string& cert_file, const std::string& key_file,
                            std::shared_ptr<ssl::context>* out) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("cannot load TLS certificate " + cert_file + ": " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::InvalidArgument("cannot load TLS key " + key_file + ": " + OpenSslError());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("TLS key " + key_file + " does not match certificate " +
                                   cert_file + ": " + OpenSslError());
  }
  SSL_CTX_set_alpn_select_cb(ctx, &SelectAlpn, nullptr);
  *out = std::move(context);
  return Status::Ok();
}

std::string_view SelectedAlpn(SSL* ssl) {
  const unsigned char* data = nullptr;
  unsigned int size = 0;
  SSL_get0_alpn_selected(ssl, &data, &size);
  if (data == nullptr) return {};
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace riffle::net
