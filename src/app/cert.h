// `riffle cert`: writes a self-signed certificate and its private key so a
// newcomer gets https in one command (`riffle serve --tls-cert ... --tls-key ...`).
#pragma once

#include <string>
#include <vector>

namespace riffle::app {

struct CertConfig {
  std::string out_dir = ".";
  // Subject alternative names: IP addresses become IP SANs, the rest DNS.
  std::vector<std::string> sans = {"localhost", "127.0.0.1"};
  int days = 825;
};

// Writes OUT_DIR/riffle.crt (PEM, self-signed, usable as its own CA bundle)
// and OUT_DIR/riffle.key (PEM, P-256, mode 0600). Returns the exit code;
// prints the paths (stdout) or the error (stderr).
int Cert(const CertConfig& config);

}  // namespace riffle::app
