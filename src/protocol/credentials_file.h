// The credentials file of `riffle serve --credentials FILE`: the AWS shared
// credentials format (`[name]` sections of `key = value` lines, `#` and `;`
// comments), as `~/.aws/credentials` already holds it.
//
// Per section: aws_access_key_id and aws_secret_access_key (both required),
// aws_session_token (optional: requests must then carry it in
// X-Amz-Security-Token), and Riffle's own optional keys account_id (12
// digits: the account the key acts in) and policy_file (an IAM identity
// policy, protocol/iam_policy.h; a relative path is taken from the
// credentials file's folder). Other keys (region, output, ...) are ignored.
// The section name is the IAM user name (arn:aws:iam::ACCOUNT:user/NAME).
// Pure parsing: reading files is the caller's. Format: docs/security.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace riffle::protocol {

struct CredentialEntry {
  std::string user_name;  // the section name
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
  std::string account_id;     // "" when not set
  std::string policy_file;    // as written; "" when none
};

// Every section of `text`. Fails (InvalidArgument, naming the line) on a line
// that is neither a section, a key = value pair, a comment nor blank; a
// section without both keys; an access key id used twice; an account_id
// that is not 12 digits.
StatusOr<std::vector<CredentialEntry>> ParseCredentialsFile(std::string_view text);

}  // namespace riffle::protocol
