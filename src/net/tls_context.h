// The TLS side of the listener: a server context from PEM files that
// negotiates TLS 1.2+ and, by ALPN, "h2" (HTTP/2) or "http/1.1".
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>

#include "base/status.h"

namespace riffle::net {

// Loads the certificate chain (PEM; the leaf first) and its private key.
// Fails with a readable message when a file is missing or they do not match.
Status MakeServerTlsContext(const std::string& cert_file, const std::string& key_file,
                            std::shared_ptr<boost::asio::ssl::context>* out);

// The protocol ALPN chose on a handshaken connection: "h2", "http/1.1", or
// "" when the client offered none.
std::string_view SelectedAlpn(SSL* ssl);

}  // namespace riffle::net
