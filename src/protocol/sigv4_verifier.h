// SigV4Verifier: checks a request's AWS Signature Version 4 (Authorization
// header, AWS4-HMAC-SHA256) exactly as AWS does, and names the error AWS
// gives for each failure (type, status and message; sources in the .cc).
//
// What is checked, in order: the algorithm; the credential scope (5 parts,
// service "kinesis", terminator "aws4_request"); the request date (X-Amz-Date,
// else Date) and the scope's date; the date within 15 minutes of now; that
// host or :authority is signed; the access key; the session token
// (X-Amz-Security-Token) the key requires, or none; the signature over the
// canonical request (method, normalized path, sorted query, the SignedHeaders
// with trimmed values, SHA-256 of the body as received). Signatures are
// compared in constant time. Nothing here logs; messages never carry a secret
// or the signature sent.
//
// Cost: SHA-256 of the body and of the canonical request, and one HMAC; the
// signing key (four HMACs) is cached per (secret, date, region, service).
// Thread-safe: Verify() may be called concurrently (the cache has a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "protocol/api_result.h"

namespace riffle::protocol {

using HeaderList = std::span<const std::pair<std::string, std::string>>;

// A request as received, before its body is decoded.
struct SignedRequest {
  std::string_view method;     // "POST"
  std::string_view target;     // request-target as received: path, then "?query"
  HeaderList headers;          // as received, names in any case
  std::string_view authority;  // HTTP/2 :authority ("" over HTTP/1.1)
  std::string_view body;
};

// What verification needs to know of an access key.
struct SigningSecret {
  std::string secret_access_key;
  std::string session_token;  // "" when the key takes none
};

// The secret of an access key id, or nullptr when the key is unknown.
using SecretLookup = std::function<const SigningSecret*(std::string_view access_key_id)>;

// A request whose signature checked out.
struct VerifiedSignature {
  std::string access_key_id;
  std::string region;  // of the credential scope
};

// The parts of an Authorization header
// "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
//  SignedHeaders=a;b, Signature=hex".
struct AuthorizationParts {
  std::string_view algorithm;
  std::string_view credential;  // the whole Credential value
  std::string_view access_key_id, date, region, service, terminator;
  std::string_view signed_headers;
  std::string_view signature;
};

class SigV4Verifier {
 public:
  static constexpr std::string_view kService = "kinesis";
  static constexpr int64_t kMaxSkewSeconds = 15 * 60;

  // Verifies `request` signed in its Authorization header at `now_seconds`
  // (seconds since the epoch). REQUIRES: the header is present and has its
  // Credential, SignedHeaders and Signature (the router checked its shape).
  ApiResult<VerifiedSignature> Verify(const SignedRequest& request, const SecretLookup& lookup, int64_t now_seconds);

 private:
  std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region);

  std::mutex mu_;
  std::unordered_map<std::string, std::string> keys_;  // guarded by mu_; cleared when large
};

// The pieces, for tests and the fuzzer.
// Splits an Authorization header into its parts (no checks beyond syntax).
AuthorizationParts ParseAuthorization(std::string_view header);
// The canonical request of `request` for `signed_headers` ("a;b;c").
std::string CanonicalRequest(const SignedRequest& request, std::string_view signed_headers,
                             std::string_view payload_sha256_hex);
std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string HexEncode(std::string_view bytes);                         // lower-case
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// "20261125T220000Z" -> seconds since the epoch; nullopt when malformed.
std::optional<int64_t> ParseAmzDate(std::string_view text);
// An RFC 7231 Date ("Wed, 25 Nov 2026 22:00:00 GMT") -> seconds; nullopt when malformed.
std::optional<int64_t> ParseHttpDate(std::string_view text);
std::string FormatAmzDate(int64_t seconds);

}  // namespace riffle::protocol
