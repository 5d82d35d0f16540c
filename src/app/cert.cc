#include "app/cert.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>

namespace riffle::app {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Writes `pem` to `path` with `mode`, replacing an existing file.
bool WriteFile(const std::string& path, const std::string& pem, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  ::fchmod(fd, mode);
  size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

int Fail(const std::string& what) {
  unsigned long code = ERR_get_error();
  char text[256] = "";
  if (code != 0) ERR_error_string_n(code, text, sizeof(text));
  std::fprintf(stderr, "riffle cert: %s%s%s\n", what.c_str(), code != 0 ? ": " : "", text);
  return 1;
}

}  // namespace

int Cert(const CertConfig& config) {
  if (config.sans.empty()) return Fail("at least one --san is needed");
  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return Fail("cannot generate a P-256 key");

  Owned<X509> cert(X509_new());
  if (!cert) return Fail("out of memory");
  X509_set_version(cert.get(), 2);  // v3
  // 159-bit random serial, as RFC 5280 recommends (positive, unique).
  unsigned char serial_bytes[20];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return Fail("no randomness");
  serial_bytes[0] &= 0x7f;
  Owned<BIGNUM> serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * config.days);
  X509_set_pubkey(cert.get(), key.get());

  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string common_name = config.sans.front();
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Riffle development"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);  // self-signed

  std::string alt_names;
  for (const std::string& san : config.sans) {
    if (!alt_names.empty()) alt_names += ",";
    alt_names += (IsIpAddress(san) ? "IP:" : "DNS:") + san;
  }
  // CA:TRUE so that clients accept the certificate as its own trust anchor
  // (NODE_EXTRA_CA_CERTS, --ca-bundle, a Java truststore).
  if (!AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !AddExtension(cert.get(), NID_subject_key_identifier, "hash") ||
      !AddExtension(cert.get(), NID_subject_alt_name, alt_names)) {
    return Fail("cannot add certificate extensions (SANs " + alt_names + ")");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return Fail("cannot sign the certificate");

  Owned<BIO> cert_bio(BIO_new(BIO_s_mem()));
  Owned<BIO> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Fail("cannot encode PEM");
  }
  ::mkdir(config.out_dir.c_str(), 0755);
  const std::string cert_path = config.out_dir + "/riffle.crt";
  const std::string key_path = config.out_dir + "/riffle.key";
  if (!WriteFile(key_path, BioText(key_bio.get()), 0600)) return Fail("cannot write " + key_path);
  if (!WriteFile(cert_path, BioText(cert_bio.get()), 0644)) return Fail("cannot write " + cert_path);
  std::printf("certificate: %s\nkey:         %s\nSANs:        %s\n", cert_path.c_str(), key_path.c_str(),
              alt_names.c_str());
  std::printf("serve https: riffle serve --tls-cert %s --tls-key %s\n", cert_path.c_str(), key_path.c_str());
  return 0;
}

}  // namespace riffle::app
