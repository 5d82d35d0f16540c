// SigV4 verification. The algorithm is AWS's "Signature Version 4 signing
// process" (canonical request, string to sign, HMAC-SHA256 key chain). Error
// texts, and where each comes from:
//  - "The request signature we calculated does not match the signature you
//    provided. Check your AWS Secret Access Key and signing method. Consult
//    the service documentation for details." — Kinesis's answer quoted in a
//    public question ("InvalidSignatureException Sending POST request to AWS
//    Kinesis"); AWS's SigV4 troubleshooting page names the first sentence.
//  - "Signature expired: X is now earlier than Y (NOW - 15 min.)" — Kinesis
//    answers quoted in aws/aws-sdk-js#254 and other issue threads;
//    "Signature not yet current: X is still later than Y (NOW + 15 min.)" —
//    the troubleshooting page's form, "+ 15 min." by symmetry (unverified).
//  - "Credential should be scoped to correct service: 'kinesis'. " — AWS
//    Batch's answer in cllunsford/aws-signing-proxy#25 (same front end);
//    "Credential should be scoped with a valid terminator: 'aws4_request',
//    not 'X'. ", "Date in Credential scope does not match YYYYMMDD from
//    ISO-8601 version of date from HTTP: 'A' != 'B', from 'C'. " and
//    "Credential should be scoped to a valid region, not 'X'. " — the
//    troubleshooting page names them; the exact forms are those reproduced by
//    scratchstack-aws-signature's tests (not seen from Kinesis itself).
//  - "The security token included in the request is invalid." — Kinesis's
//    UnrecognizedClientException for an unknown key or token (well known).
//  - "'Host' or ':authority' must be a 'SignedHeader' in the AWS
//    Authorization." — AWS's text as reproduced by public mocks; its error
//    type (InvalidSignatureException here) is not verified.
//  - "Credential must have exactly 5 slash-delimited elements, e.g.
//    keyid/date/region/service/term, got 'X'", "Date must be in ISO-8601
//    'basic format'. Got 'X'. See http://en.wikipedia.org/wiki/ISO_8601" and
//    "Unsupported AWS 'algorithm': 'X'." (IncompleteSignatureException) —
//    wording not verified against AWS.
#include "protocol/sigv4_verifier.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <vector>

namespace riffle::protocol {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xF];
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A header value as SigV4 canonicalizes it: trimmed, runs of spaces as one.
void AppendCanonicalValue(std::string& out, std::string_view value) {
  value = Trim(value);
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
}

std::string_view Header(const SignedRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool HasHeader(const SignedRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

bool Unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// The path with "." and ".." segments removed and empty segments dropped, as
// the SDKs normalize it for every service but S3; then URI-encoded (the sent
// path is already encoded, so it is encoded twice, as SigV4 requires).
std::string CanonicalPath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    size_t length = slash == std::string_view::npos ? std::string_view::npos : slash - start;
    std::string_view segment = path.substr(start, length);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string normalized = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized.push_back('/');
    normalized.append(segments[i]);
  }
  if (!segments.empty() && !path.empty() && path.back() == '/') normalized.push_back('/');
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(normalized.size());
  for (unsigned char c : normalized) {
    if (Unreserved(c) || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xF]);
    }
  }
  return out;
}

// The query's parameters as sent, sorted by name then value, "k=v" joined by "&".
std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string_view, std::string_view>> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    if (!part.empty()) {
      size_t eq = part.find('=');
      params.emplace_back(part.substr(0, eq), eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(key).push_back('=');
    out.append(value);
  }
  return out;
}

ApiError Incomplete(std::string message) { return {400, "IncompleteSignatureException", std::move(message)}; }
ApiError Invalid(std::string message) { return {400, "InvalidSignatureException", std::move(message)}; }
ApiError Unrecognized() {
  return {400, "UnrecognizedClientException", "The security token included in the request is invalid."};
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  return Hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<int64_t> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  auto number = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(4, 2) - 1;
  tm.tm_mday = number(6, 2);
  tm.tm_hour = number(9, 2);
  tm.tm_min = number(11, 2);
  tm.tm_sec = number(13, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string copy(text);
  std::tm tm{};
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::string FormatAmzDate(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &tm);
  return text;
}

AuthorizationParts ParseAuthorization(std::string_view header) {
  AuthorizationParts parts;
  header = Trim(header);
  size_t space = header.find(' ');
  parts.algorithm = header.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view() : header.substr(space + 1);
  for (std::string_view item : Split(rest, ',')) {
    item = Trim(item);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = Trim(item.substr(0, eq));
    std::string_view value = Trim(item.substr(eq + 1));
    if (key == "Credential") {
      parts.credential = value;
    } else if (key == "SignedHeaders") {
      parts.signed_headers = value;
    } else if (key == "Signature") {
      parts.signature = value;
    }
  }
  std::vector<std::string_view> scope = Split(parts.credential, '/');
  if (scope.size() == 5) {
    parts.access_key_id = scope[0];
    parts.date = scope[1];
    parts.region = scope[2];
    parts.service = scope[3];
    parts.terminator = scope[4];
  }
  return parts;
}

std::string CanonicalRequest(const SignedRequest& request, std::string_view signed_headers,
                             std::string_view payload_sha256_hex) {
  std::string_view target = request.target;
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  std::string out;
  out.reserve(512);
  out.append(request.method).push_back('\n');
  out.append(CanonicalPath(path)).push_back('\n');
  out.append(CanonicalQuery(query)).push_back('\n');
  for (std::string_view name : Split(signed_headers, ';')) {
    std::string lower = Lower(name);
    out.append(lower).push_back(':');
    if (lower == ":authority") {
      AppendCanonicalValue(out, request.authority);
    } else {
      bool first = true;
      for (const auto& [key, value] : request.headers) {
        if (!EqualsIgnoreCase(key, lower)) continue;
        if (!first) out.push_back(',');
        first = false;
        AppendCanonicalValue(out, value);
      }
    }
    out.push_back('\n');
  }
  out.push_back('\n');
  out.append(signed_headers).push_back('\n');
  out.append(payload_sha256_hex);
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out.append(amz_date).push_back('\n');
  out.append(scope).push_back('\n');
  out.append(Sha256Hex(canonical_request));
  return out;
}

std::string SigV4Verifier::SigningKey(std::string_view secret, std::string_view date, std::string_view region) {
  std::string cache_key;
  cache_key.reserve(secret.size() + date.size() + region.size() + 2);
  cache_key.append(secret).push_back('\0');
  cache_key.append(date).push_back('\0');
  cache_key.append(region);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = keys_.find(cache_key); it != keys_.end()) return it->second;
  }
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, kService);
  key = HmacSha256(key, kTerminator);
  std::lock_guard<std::mutex> lock(mu_);
  if (keys_.size() >= 4096) keys_.clear();  // dates and regions seen are few; bound what clients can add
  keys_.emplace(std::move(cache_key), key);
  return key;
}

ApiResult<VerifiedSignature> SigV4Verifier::Verify(const SignedRequest& request, const SecretLookup& lookup,
                                                   int64_t now_seconds) {
  AuthorizationParts auth = ParseAuthorization(Header(request, "authorization"));
  if (auth.algorithm != kAlgorithm) {
    return Incomplete("Unsupported AWS 'algorithm': '" + std::string(auth.algorithm) + "'.");  // unverified wording
  }
  if (auth.terminator.empty() && auth.access_key_id.empty()) {
    return Incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                      "got '" + std::string(auth.credential) + "'");
  }

  // The request's time: X-Amz-Date, else the Date header.
  std::string_view date_text = Header(request, "x-amz-date");
  bool amz_date = HasHeader(request, "x-amz-date");
  std::optional<int64_t> when = amz_date ? ParseAmzDate(Trim(date_text)) : std::nullopt;
  if (!amz_date) {
    date_text = Header(request, "date");
    when = ParseHttpDate(Trim(date_text));
  }
  if (!when) {
    return Incomplete("Date must be in ISO-8601 'basic format'. Got '" + std::string(date_text) +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  std::string request_time = FormatAmzDate(*when);

  // The credential scope: every mismatch is named, in AWS's order.
  std::string scope_errors;
  if (auth.region.empty()) scope_errors += "Credential should be scoped to a valid region, not ''. ";
  if (auth.service != kService) {
    scope_errors += "Credential should be scoped to correct service: '" + std::string(kService) + "'. ";
  }
  if (auth.terminator != kTerminator) {
    scope_errors += "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                    std::string(auth.terminator) + "'. ";
  }
  if (auth.date != std::string_view(request_time).substr(0, 8)) {
    scope_errors += "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                    std::string(auth.date) + "' != '" + request_time.substr(0, 8) + "', from '" + request_time +
                    "'. ";
  }
  if (!scope_errors.empty()) return Invalid(std::move(scope_errors));

  if (*when < now_seconds - kMaxSkewSeconds) {
    return Invalid("Signature expired: " + request_time + " is now earlier than " +
                   FormatAmzDate(now_seconds - kMaxSkewSeconds) + " (" + FormatAmzDate(now_seconds) + " - 15 min.)");
  }
  if (*when > now_seconds + kMaxSkewSeconds) {
    return Invalid("Signature not yet current: " + request_time + " is still later than " +
                   FormatAmzDate(now_seconds + kMaxSkewSeconds) + " (" + FormatAmzDate(now_seconds) + " + 15 min.)");
  }

  bool host_signed = false;
  for (std::string_view name : Split(auth.signed_headers, ';')) {
    host_signed = host_signed || EqualsIgnoreCase(name, "host") || name == ":authority";
  }
  if (!host_signed) return Invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  const SigningSecret* secret = lookup(auth.access_key_id);
  if (secret == nullptr) return Unrecognized();
  std::string_view token = Header(request, "x-amz-security-token");
  if (!ConstantTimeEquals(token, secret->session_token)) return Unrecognized();

  std::string canonical = CanonicalRequest(request, auth.signed_headers, Sha256Hex(request.body));
  std::string scope = std::string(auth.date) + "/" + std::string(auth.region) + "/" + std::string(kService) + "/" +
                      std::string(kTerminator);
  std::string mac = HmacSha256(SigningKey(secret->secret_access_key, auth.date, auth.region),
                               StringToSign(amz_date ? Trim(date_text) : std::string_view(request_time), scope,
                                            canonical));
  std::string expected = HexEncode(mac);
  if (!ConstantTimeEquals(expected, auth.signature)) {
    return Invalid(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
        "Key and signing method. Consult the service documentation for details.");
  }
  return VerifiedSignature{std::string(auth.access_key_id), std::string(auth.region)};
}

}  // namespace riffle::protocol
