// IamPolicy: an AWS IAM policy document (JSON), parsed once and evaluated
// against requests, as IAM evaluates one policy: an explicit Deny wins over
// any Allow; nothing matching is an implicit deny.
//
// Grammar accepted ("Version" 2012-10-17 or 2008-10-17, or none): "Statement"
// is one statement or a list; each has "Effect" Allow|Deny, exactly one of
// "Action"/"NotAction" (strings or lists, `*` and `?` wildcards, matched
// without regard to case), "Resource"/"NotResource" (ARNs with wildcards, per
// ARN segment; required in identity policies, optional in resource policies
// where it defaults to the resource the policy is attached to), and in
// resource policies "Principal"/"NotPrincipal" ("*", {"AWS": "*" | account id
// | "arn:aws:iam::ACCOUNT:root" | "arn:aws:iam::ACCOUNT:user/NAME" | a list}).
// "Condition" supports the operators StringEquals, StringNotEquals,
// StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike
// and Bool, on the keys aws:SecureTransport, aws:PrincipalAccount,
// aws:PrincipalArn, aws:username and aws:RequestedRegion. Anything else (other
// operators or keys, policy variables "${...}", Principal in an identity
// policy) is refused by Parse with a message naming it, never ignored.
// Immutable after Parse: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace riffle::protocol {

// What a policy is asked about one request.
struct PolicyQuestion {
  std::string_view action;             // "kinesis:PutRecord"
  std::string_view resource;           // the ARN the action is checked against
  std::string_view principal_arn;      // arn:aws:iam::ACCOUNT:user/NAME
  std::string_view principal_account;  // ACCOUNT
  std::string_view user_name;          // NAME
  std::string_view region;             // aws:RequestedRegion
  bool secure_transport = false;       // aws:SecureTransport (TLS)
};

enum class PolicyDecision { kNoMatch, kAllow, kDeny };

class IamPolicy {
 public:
  enum class Kind { kIdentity, kResource };

  // Parses `json`. Fails with InvalidArgument naming the first problem.
  static StatusOr<IamPolicy> Parse(std::string_view json, Kind kind);

  // Deny when a matching statement denies, Allow when one allows and none
  // denies, NoMatch otherwise.
  PolicyDecision Evaluate(const PolicyQuestion& question) const;

  struct Condition {
    enum class Op { kStringEquals, kStringEqualsIgnoreCase, kStringLike, kBool };
    Op op = Op::kStringEquals;
    bool negated = false;
    std::string key;
    std::vector<std::string> values;
  };
  struct Statement {
    bool allow = true;
    bool not_action = false;
    std::vector<std::string> actions;
    bool not_resource = false;
    bool any_resource = false;  // no Resource (resource policies)
    std::vector<std::string> resources;
    bool has_principal = false;
    bool not_principal = false;
    std::vector<std::string> principals;  // "*", account ids, or ARNs
    std::vector<Condition> conditions;
  };

 private:
  std::vector<Statement> statements_;
};

// True if `text` matches `pattern` (`*`: any run, `?`: one character).
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case);
// True if the ARN `arn` matches the ARN pattern `pattern`, segment by segment
// (a pattern with fewer segments lets its last one match the rest; "*" matches all).
bool ArnMatch(std::string_view pattern, std::string_view arn);

}  // namespace riffle::protocol
