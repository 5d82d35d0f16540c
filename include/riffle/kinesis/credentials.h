// Credentials: an AWS access key, as SigV4 signs with it.
//
// Where a Client finds them when ClientOptions::credentials is unset, first
// match wins (the order of the AWS SDKs' default chain, without the IMDS and
// SSO providers):
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless
//      ClientOptions::profile names a profile explicitly;
//   2. the profile's aws_access_key_id / aws_secret_access_key /
//      aws_session_token in the shared credentials file
//      (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, section
//      [NAME]);
//   3. the same keys in the shared config file (AWS_CONFIG_FILE, default
//      ~/.aws/config, section [profile NAME], or [default]);
//   4. ClientOptions::fallback_credentials.
// The profile is ClientOptions::profile, else AWS_PROFILE, else "default".
#pragma once

#include <string>

namespace riffle::kinesis {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; sent as X-Amz-Security-Token
};

}  // namespace riffle::kinesis
