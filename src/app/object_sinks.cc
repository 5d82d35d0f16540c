#include "app/object_sinks.h"

#include <fcntl.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <system_error>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "client/sigv4.h"

namespace riffle::app {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using kinesis::internal::SigV4Signer;

constexpr auto kIoTimeout = std::chrono::seconds(30);  // each of connect, handshake, write, read
constexpr size_t kErrorBodyBytes = 300;                // of a non-2xx answer, in the Status

std::string ErrnoText(int error) { return std::error_code(error, std::generic_category()).message(); }

Status BadUrl(const std::string& url, const std::string& why) {
  return Status::InvalidArgument("--s3-endpoint " + url + ": " + why);
}

// ---------------------------------------------------------------------------
// FileSink

// fsyncs the directory `dir` (its entries: a rename or a new subdirectory).
bool SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.empty() ? "/" : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

// Creates the absolute directory `dir` and its missing parents, fsyncing the
// parent of each one created so the new entry survives a crash.
Status MakeDirectories(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::Ok();
  size_t end = 0;
  while (end != std::string::npos) {
    end = dir.find('/', end + 1);
    const std::string path = dir.substr(0, end);
    if (::mkdir(path.c_str(), 0777) == 0) {
      const std::string parent = path.substr(0, path.rfind('/'));
      if (!SyncDirectory(parent)) {
        return Status::StorageError("syncing directory " + (parent.empty() ? "/" : parent) + ": " + ErrnoText(errno));
      }
    } else if (errno != EEXIST) {
      return Status::StorageError("creating directory " + path + ": " + ErrnoText(errno));
    }
  }
  if (::stat(dir.c_str(), &st) != 0) return Status::StorageError("directory " + dir + ": " + ErrnoText(errno));
  if (!S_ISDIR(st.st_mode)) return Status::StorageError(dir + " is not a directory");
  return Status::Ok();
}

// A fresh random suffix for a temporary file's name.
std::string RandomHex() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = random();
  std::string out(16, '0');
  for (char& c : out) {
    c = kHex[bits & 15];
    bits >>= 4;
  }
  return out;
}

Status CheckBucket(const std::string& bucket) {
  if (bucket.empty() || bucket.front() == '.' || bucket.find('/') != std::string::npos ||
      bucket.find('\0') != std::string::npos) {
    return Status::InvalidArgument("bucket name \"" + bucket + "\" cannot name a directory");
  }
  return Status::Ok();
}

// Keys come from validated templates; this is defence in depth against one
// escaping the bucket's directory.
Status CheckKey(const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  if (key.find('\0') != std::string::npos) return Status::InvalidArgument("object key contains a NUL byte");
  size_t begin = 0;
  while (true) {
    const size_t end = key.find('/', begin);
    const std::string_view segment = std::string_view(key).substr(begin, end == std::string::npos ? end : end - begin);
    if (segment.empty() || segment == "." || segment == "..") {
      return Status::InvalidArgument("object key \"" + key + "\" has an empty, \".\" or \"..\" path segment");
    }
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return Status::Ok();
}

class FileSink : public core::ObjectSink {
 public:
  // `root`: absolute, without a trailing '/' ("" for the root directory).
  FileSink(std::string url, std::string root) : url_(std::move(url)), root_(std::move(root)) {}

  Status Put(const core::ObjectPut& object) override {
    RIFFLE_RETURN_IF_ERROR(CheckBucket(object.bucket));
    RIFFLE_RETURN_IF_ERROR(CheckKey(object.key));
    const std::string path = root_ + "/" + object.bucket + "/" + object.key;
    const std::string dir = path.substr(0, path.rfind('/'));
    RIFFLE_RETURN_IF_ERROR(MakeDirectories(dir));

    std::string temp;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 16; ++attempt) {
      temp = dir + "/.tmp-" + RandomHex();
      fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return Status::StorageError("creating " + temp + ": " + ErrnoText(errno));
    auto fail = [&](const std::string& what) {
      const int error = errno;
      if (fd >= 0) ::close(fd);
      ::unlink(temp.c_str());
      return Status::StorageError(what + ": " + ErrnoText(error));
    };
    const std::string& body = object.body;
    size_t done = 0;
    while (done < body.size()) {
      const ssize_t n = ::write(fd, body.data() + done, std::min<size_t>(body.size() - done, size_t{1} << 30));
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail("writing " + temp);
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return fail("syncing " + temp);
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) return fail("closing " + temp);
    if (::rename(temp.c_str(), path.c_str()) != 0) return fail("renaming " + temp + " to " + path);
    if (!SyncDirectory(dir)) return Status::StorageError("syncing directory " + dir + ": " + ErrnoText(errno));
    return Status::Ok();
  }

  std::string Describe() const override { return url_; }

 private:
  const std::string url_;
  const std::string root_;
};

// ---------------------------------------------------------------------------
// S3Sink

struct HttpEndpoint {
  bool tls = false;
  std::string host;       // for resolving and TLS: no brackets around an IPv6 address
  std::string port;       // decimal
  std::string authority;  // the Host header: as written in the URL
};

StatusOr<HttpEndpoint> ParseHttpUrl(const std::string& url) {
  HttpEndpoint endpoint;
  std::string_view rest = url;
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
    endpoint.port = "80";
  } else if (rest.substr(0, 8) == "https://") {
    rest.remove_prefix(8);
    endpoint.tls = true;
    endpoint.port = "443";
  } else {
    return BadUrl(url, "must be http://HOST:PORT or https://HOST:PORT");
  }
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") return BadUrl(url, "must have no path (requests are path-style: /BUCKET/KEY)");
    rest = rest.substr(0, slash);
  }
  if (rest.empty()) return BadUrl(url, "names no host");
  if (rest.find_first_of("@?# \t") != std::string_view::npos) {
    return BadUrl(url, "must be http(s)://HOST:PORT, without user, query or fragment");
  }
  endpoint.authority = std::string(rest);
  std::string_view port;
  if (rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "has an unterminated [IPv6 address]");
    endpoint.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return BadUrl(url, "has text after the [IPv6 address]");
      port = rest.substr(1);
      if (port.empty()) return BadUrl(url, "names no port after ':'");
    }
  } else {
    const size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      if (rest.find(':', colon + 1) != std::string_view::npos) {
        return BadUrl(url, "an IPv6 address must be in brackets: http://[ADDRESS]:PORT");
      }
      port = rest.substr(colon + 1);
      if (port.empty()) return BadUrl(url, "names no port after ':'");
    }
    endpoint.host = std::string(rest.substr(0, colon));
  }
  if (endpoint.host.empty()) return BadUrl(url, "names no host");
  if (!port.empty()) {
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) return BadUrl(url, "has a bad port");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return BadUrl(url, "has a bad port");
    endpoint.port = std::to_string(value);
  }
  return endpoint;
}

// Runs `io` until the asynchronous operation `start` begins has completed
// (and the stream's timer with it); returns the operation's error. The
// asynchronous forms are used because beast's stream timeouts apply to them
// only.
template <class Start>
boost::system::error_code RunOne(asio::io_context& io, Start&& start) {
  boost::system::error_code result = asio::error::operation_aborted;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

using PutRequest = http::request<http::span_body<const char>>;
using PutResponse = http::response<http::string_body>;

// Sends `request` over the connected (and, for TLS, handshaken) `stream` and
// reads the answer. On error, `*step` names what failed.
template <class Stream>
boost::system::error_code Exchange(asio::io_context& io, Stream& stream, PutRequest& request, PutResponse* response,
                                   std::string* step) {
  *step = "sending the request";
  beast::get_lowest_layer(stream).expires_after(kIoTimeout);
  auto ec = RunOne(io, [&](auto handler) { http::async_write(stream, request, std::move(handler)); });
  if (ec) return ec;
  *step = "reading the answer";
  beast::flat_buffer buffer;
  beast::get_lowest_layer(stream).expires_after(kIoTimeout);
  return RunOne(io, [&](auto handler) { http::async_read(stream, buffer, *response, std::move(handler)); });
}

class S3Sink : public core::ObjectSink {
 public:
  S3Sink(std::string url, HttpEndpoint endpoint, kinesis::Credentials credentials, std::string region,
         std::shared_ptr<ssl::context> tls)
      : url_(std::move(url)),
        endpoint_(std::move(endpoint)),
        signer_(std::move(credentials), std::move(region), "s3"),
        tls_(std::move(tls)) {}

  Status Put(const core::ObjectPut& object) override {
    const std::string what = "S3 PUT " + object.bucket + "/" + object.key + " to " + url_;
    if (object.bucket.empty() || object.bucket.find('/') != std::string::npos) {
      return Status::InvalidArgument(what + ": bad bucket name");
    }
    if (object.key.empty()) return Status::InvalidArgument(what + ": empty key");

    const std::string target = "/" + S3PathEncode(object.bucket) + "/" + S3PathEncode(object.key);
    const std::string payload_sha256 = kinesis::internal::Sha256Hex(object.body);
    const std::string amz_date(kinesis::internal::AmzDateNow());
    const bool send_storage_class = !object.storage_class.empty() && object.storage_class != "STANDARD";
    const std::string& session_token = signer_.credentials().session_token;

    kinesis::internal::SignableRequest signable;
    signable.method = "PUT";
    signable.path = target;
    signable.headers = {{"host", endpoint_.authority},
                        {"x-amz-date", amz_date},
                        {"x-amz-content-sha256", payload_sha256}};
    if (send_storage_class) signable.headers.emplace_back("x-amz-storage-class", object.storage_class);
    if (!object.expected_bucket_owner.empty()) {
      signable.headers.emplace_back("x-amz-expected-bucket-owner", object.expected_bucket_owner);
    }
    if (!session_token.empty()) signable.headers.emplace_back("x-amz-security-token", session_token);
    signable.payload_sha256_hex = payload_sha256;

    PutRequest request{http::verb::put, target, 11};
    for (const auto& [name, value] : signable.headers) {
      request.set(beast::string_view(name.data(), name.size()), beast::string_view(value.data(), value.size()));
    }
    request.set(http::field::authorization, signer_.Authorization(signable, amz_date));
    request.set(http::field::content_type,
                object.content_type.empty() ? std::string("application/octet-stream") : object.content_type);
    if (!object.content_encoding.empty()) request.set(http::field::content_encoding, object.content_encoding);
    request.set(http::field::user_agent, "riffle");
    request.set(http::field::connection, "close");  // one connection per object
    request.body() = http::span_body<const char>::value_type(object.body.data(), object.body.size());
    request.prepare_payload();  // Content-Length

    asio::io_context io;
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    const auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, ec);
    if (ec) return Status::Unavailable(what + ": resolving " + endpoint_.host + ": " + ec.message());

    PutResponse response;
    std::string step = "connecting";
    if (tls_) {
      beast::ssl_stream<beast::tcp_stream> stream(io, *tls_);
      ec = Connect(io, beast::get_lowest_layer(stream), addresses);
      if (!ec) {
        step = "TLS handshake";
        SSL* native = stream.native_handle();
        X509_VERIFY_PARAM* param = SSL_get0_param(native);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        boost::system::error_code not_address;
        asio::ip::make_address(endpoint_.host, not_address);
        if (!not_address) {
          X509_VERIFY_PARAM_set1_ip_asc(param, endpoint_.host.c_str());
        } else {
          X509_VERIFY_PARAM_set1_host(param, endpoint_.host.c_str(), 0);
          SSL_set_tlsext_host_name(native, endpoint_.host.c_str());  // SNI (names only, RFC 6066)
        }
        beast::get_lowest_layer(stream).expires_after(kIoTimeout);
        ec = RunOne(io, [&](auto handler) { stream.async_handshake(ssl::stream_base::client, std::move(handler)); });
        if (ec) {
          const long verify = SSL_get_verify_result(native);
          if (verify != X509_V_OK) {
            return Status::Unavailable(what + ": TLS handshake: certificate verification failed: " +
                                       X509_verify_cert_error_string(verify));
          }
        }
      }
      if (!ec) ec = Exchange(io, stream, request, &response, &step);
    } else {
      beast::tcp_stream stream(io);
      ec = Connect(io, stream, addresses);
      if (!ec) ec = Exchange(io, stream, request, &response, &step);
    }
    if (ec) return Status::Unavailable(what + ": " + step + ": " + ec.message());

    const unsigned code = response.result_int();
    if (code >= 200 && code < 300) return Status::Ok();
    return Status::Unavailable(what + " answered " + std::to_string(code) + ": " +
                               response.body().substr(0, kErrorBodyBytes));
  }

  std::string Describe() const override { return url_; }

 private:
  static boost::system::error_code Connect(asio::io_context& io, beast::tcp_stream& stream,
                                           const tcp::resolver::results_type& addresses) {
    stream.expires_after(kIoTimeout);
    return RunOne(io, [&](auto handler) { stream.async_connect(addresses, std::move(handler)); });
  }

  const std::string url_;
  const HttpEndpoint endpoint_;
  const SigV4Signer signer_;
  const std::shared_ptr<ssl::context> tls_;  // https only
};

StatusOr<std::string> ParseFileUrl(const std::string& url) {
  std::string_view rest = std::string_view(url).substr(7);  // after "file://"
  const size_t slash = rest.find('/');
  const std::string_view host = rest.substr(0, slash);
  if (slash == std::string_view::npos || (!host.empty() && host != "localhost")) {
    return BadUrl(url, "must name an absolute directory: file:///ABSOLUTE/DIR");
  }
  std::string path;
  for (size_t i = slash; i < rest.size(); ++i) {  // %XX-decoded
    if (rest[i] != '%') {
      path.push_back(rest[i]);
      continue;
    }
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int high = i + 2 < rest.size() ? hex(rest[i + 1]) : -1;
    const int low = i + 2 < rest.size() ? hex(rest[i + 2]) : -1;
    if (high < 0 || low < 0) return BadUrl(url, "has a bad %-escape");
    path.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (path.find('\0') != std::string::npos) return BadUrl(url, "has a NUL byte in its path");
  while (!path.empty() && path.back() == '/') path.pop_back();  // "" for the root directory
  return path;
}

}  // namespace

std::string S3PathEncode(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size() + key.size() / 4);
  for (const char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || c == '/') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

StatusOr<std::unique_ptr<core::ObjectSink>> MakeObjectSink(const std::string& url, const std::string& region,
                                                           const std::string& access_key_id,
                                                           const std::string& secret_access_key) {
  if (url.rfind("file://", 0) == 0) {
    auto root = ParseFileUrl(url);
    if (!root.ok()) return root.status();
    return std::unique_ptr<core::ObjectSink>(std::make_unique<FileSink>(url, std::move(root).value()));
  }
  auto endpoint = ParseHttpUrl(url);
  if (!endpoint.ok()) {
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return endpoint.status();
    return BadUrl(url, "must be file:///ABSOLUTE/DIR, http://HOST:PORT or https://HOST:PORT");
  }

  kinesis::Credentials credentials;
  if (!access_key_id.empty() && !secret_access_key.empty()) {
    credentials.access_key_id = access_key_id;
    credentials.secret_access_key = secret_access_key;
  } else if (!access_key_id.empty() || !secret_access_key.empty()) {
    return Status::InvalidArgument("S3 credentials: an access key id needs its secret access key and the other way "
                                   "round (give both, or neither to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)");
  } else {
    const char* id = std::getenv("AWS_ACCESS_KEY_ID");
    const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
    if (id != nullptr && *id != '\0' && secret != nullptr && *secret != '\0') {
      credentials.access_key_id = id;
      credentials.secret_access_key = secret;
      const char* token = std::getenv("AWS_SESSION_TOKEN");
      if (token != nullptr) credentials.session_token = token;
    } else {
      credentials.access_key_id = "riffle";
      credentials.secret_access_key = "riffle";
    }
  }

  std::shared_ptr<ssl::context> tls;
  if (endpoint->tls) {
    tls = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    tls->set_verify_mode(ssl::verify_peer, ec);
    if (!ec) tls->set_default_verify_paths(ec);
    if (ec) return BadUrl(url, "system trust store: " + ec.message());
  }
  return std::unique_ptr<core::ObjectSink>(std::make_unique<S3Sink>(
      url, std::move(endpoint).value(), std::move(credentials), region.empty() ? "us-east-1" : region, std::move(tls)));
}

}  // namespace riffle::app
