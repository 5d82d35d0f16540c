#include "client/sigv4.h"

#include "protocol/sigv4_verifier.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace riffle::kinesis::internal {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) { return protocol::Sha256Hex(data); }

std::string_view AmzDateNow() {
  thread_local std::time_t cached = 0;
  thread_local char text[20];
  std::time_t now = std::time(nullptr);
  if (now != cached) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &tm);
    cached = now;
  }
  return {text, 16};
}

std::string SigV4Signer::CanonicalRequest(const SignableRequest& request, std::string* signed_headers) {
  std::vector<std::pair<std::string, std::string_view>> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) headers.emplace_back(Lower(name), Trim(value));
  std::sort(headers.begin(), headers.end());

  std::string out;
  out.reserve(256);
  out.append(request.method).push_back('\n');
  out.append(request.path.empty() ? std::string_view("/") : request.path).push_back('\n');
  out.append(request.canonical_query).push_back('\n');
  signed_headers->clear();
  for (const auto& [name, value] : headers) {
    out.append(name).push_back(':');
    out.append(value).push_back('\n');
    if (!signed_headers->empty()) signed_headers->push_back(';');
    signed_headers->append(name);
  }
  out.push_back('\n');
  out.append(*signed_headers).push_back('\n');
  if (!request.payload_sha256_hex.empty()) {
    out.append(request.payload_sha256_hex);
  } else {
    out.append(Sha256Hex(request.payload));
  }
  return out;
}

std::string SigV4Signer::StringToSign(std::string_view canonical_request, std::string_view amz_date) const {
  std::string out = "AWS4-HMAC-SHA256\n";
  out.append(amz_date).push_back('\n');
  out.append(amz_date.substr(0, 8)).push_back('/');
  out.append(region_).push_back('/');
  out.append(service_).append("/aws4_request\n");
  out.append(Sha256Hex(canonical_request));
  return out;
}

std::string SigV4Signer::SigningKey(std::string_view date) const {
  std::lock_guard lock(mutex_);
  if (key_.empty() || key_date_ != date) {
    std::string k = protocol::HmacSha256("AWS4" + credentials_.secret_access_key, date);
    k = protocol::HmacSha256(k, region_);
    k = protocol::HmacSha256(k, service_);
    key_ = protocol::HmacSha256(k, "aws4_request");
    key_date_ = std::string(date);
  }
  return key_;
}

std::string SigV4Signer::Authorization(const SignableRequest& request, std::string_view amz_date) const {
  std::string signed_headers;
  std::string canonical = CanonicalRequest(request, &signed_headers);
  std::string to_sign = StringToSign(canonical, amz_date);
  std::string mac = protocol::HmacSha256(SigningKey(amz_date.substr(0, 8)), to_sign);
  std::string out = "AWS4-HMAC-SHA256 Credential=";
  out.append(credentials_.access_key_id).push_back('/');
  out.append(amz_date.substr(0, 8)).push_back('/');
  out.append(region_).push_back('/');
  out.append(service_).append("/aws4_request, SignedHeaders=");
  out.append(signed_headers).append(", Signature=");
  out.append(protocol::HexEncode(mac));
  return out;
}

}  // namespace riffle::kinesis::internal
