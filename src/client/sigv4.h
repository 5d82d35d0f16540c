// SigV4: AWS Signature Version 4 request signing (HMAC-SHA256), as the AWS
// SDKs sign awsJson requests. Produces real signatures: a verifying server
// would accept them.
//
// The signing key (derived from the secret, date, region and service) is
// cached per date, so signing a request costs one SHA-256 of the canonical
// request and one HMAC, plus the payload hash unless the caller passes it.
// Not thread-safe (the key cache); use one signer per thread or connection.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace riffle::client {

// Lower-case hex of SHA-256(`data`).
std::string Sha256Hex(std::string_view data);

// The "X-Amz-Date" value (yyyymmddThhmmssZ) for the current time; cached per
// second and thread.
std::string_view AmzDateNow();

struct Credentials {
  std::string access_key_id = "riffle";
  std::string secret_access_key = "riffle";
  std::string region = "us-east-1";
  std::string service = "kinesis";
};

struct SignableRequest {
  std::string_view method = "POST";
  std::string_view path = "/";           // already URI-encoded
  std::string_view canonical_query;      // already sorted and encoded ("" when none)
  // Headers to sign, names in any case; values are trimmed. Must include
  // "host" and "x-amz-date".
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view payload;              // used when payload_sha256_hex is empty
  std::string_view payload_sha256_hex;   // precomputed Sha256Hex(payload), optional
};

class SigV4Signer {
 public:
  explicit SigV4Signer(Credentials credentials) : credentials_(std::move(credentials)) {}

  // The value of the Authorization header for `request` at `amz_date`
  // (which must equal the request's x-amz-date header).
  std::string Authorization(const SignableRequest& request, std::string_view amz_date);

  // The pieces, exposed for tests.
  static std::string CanonicalRequest(const SignableRequest& request, std::string* signed_headers);
  std::string StringToSign(std::string_view canonical_request, std::string_view amz_date) const;

  const Credentials& credentials() const { return credentials_; }

 private:
  const std::string& SigningKey(std::string_view date);  // yyyymmdd

  Credentials credentials_;
  std::string key_date_;
  std::string key_;
};

}  // namespace riffle::client
