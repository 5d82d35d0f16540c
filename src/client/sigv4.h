// SigV4: AWS Signature Version 4 request signing (HMAC-SHA256), as the AWS
// SDKs sign awsJson requests. Produces real signatures: a verifying server
// would accept them.
//
// The signing key (derived from the secret, date, region and service) is
// cached per date, so signing a request costs one SHA-256 of the canonical
// request and one HMAC, plus the payload hash unless the caller passes it.
// Thread-safe (the key cache is behind a mutex). Temporary credentials: the
// caller adds and signs the x-amz-security-token header.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riffle/kinesis/credentials.h"

namespace riffle::kinesis::internal {

// Lower-case hex of SHA-256(`data`).
std::string Sha256Hex(std::string_view data);

// The "X-Amz-Date" value (yyyymmddThhmmssZ) for the current time; cached per
// second and thread.
std::string_view AmzDateNow();

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
  SigV4Signer(Credentials credentials, std::string region, std::string service = "kinesis")
      : credentials_(std::move(credentials)), region_(std::move(region)), service_(std::move(service)) {}

  // The value of the Authorization header for `request` at `amz_date`
  // (which must equal the request's x-amz-date header).
  std::string Authorization(const SignableRequest& request, std::string_view amz_date) const;

  // The pieces, exposed for tests.
  static std::string CanonicalRequest(const SignableRequest& request, std::string* signed_headers);
  std::string StringToSign(std::string_view canonical_request, std::string_view amz_date) const;

  const Credentials& credentials() const { return credentials_; }
  const std::string& region() const { return region_; }

 private:
  std::string SigningKey(std::string_view date) const;  // yyyymmdd

  const Credentials credentials_;
  const std::string region_;
  const std::string service_;
  mutable std::mutex mutex_;
  mutable std::string key_date_;  // guarded by mutex_
  mutable std::string key_;       // guarded by mutex_
};

}  // namespace riffle::kinesis::internal
