#include "protocol/iam_policy.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

namespace riffle::protocol {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

Status Bad(std::string message) { return Status::InvalidArgument(std::move(message)); }

char Fold(char c, bool ignore_case) {
  return ignore_case ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Fold(x, true) == Fold(y, true); });
}

// A string or a list of strings; sets `error` otherwise.
std::vector<std::string> Strings(element value, std::string_view what, std::string& error) {
  std::vector<std::string> out;
  auto one = [&](element e) {
    std::string_view s;
    if (e.is_bool()) {
      out.emplace_back(e.get_bool().value_unsafe() ? "true" : "false");
    } else if (e.get_string().get(s) == simdjson::SUCCESS) {
      out.emplace_back(s);
    } else {
      error = std::string(what) + " must be a string or a list of strings";
    }
  };
  if (value.is_array()) {
    simdjson::dom::array list = value.get_array().value_unsafe();
    for (element e : list) one(e);
    if (out.empty() && error.empty()) error = std::string(what) + " must not be an empty list";
  } else {
    one(value);
  }
  return out;
}

constexpr std::string_view kKeys[] = {"aws:SecureTransport", "aws:PrincipalAccount", "aws:PrincipalArn",
                                      "aws:username", "aws:RequestedRegion"};

Status ParseConditions(element block, std::vector<IamPolicy::Condition>& out) {
  simdjson::dom::object operators;
  if (block.get_object().get(operators) != simdjson::SUCCESS) return Bad("Condition must be an object");
  for (auto [op_name, keys] : operators) {
    IamPolicy::Condition base;
    std::string_view op = op_name;
    if (op == "StringEquals" || op == "StringNotEquals") {
      base.op = IamPolicy::Condition::Op::kStringEquals;
    } else if (op == "StringEqualsIgnoreCase" || op == "StringNotEqualsIgnoreCase") {
      base.op = IamPolicy::Condition::Op::kStringEqualsIgnoreCase;
    } else if (op == "StringLike" || op == "StringNotLike") {
      base.op = IamPolicy::Condition::Op::kStringLike;
    } else if (op == "Bool") {
      base.op = IamPolicy::Condition::Op::kBool;
    } else {
      return Bad("unsupported condition operator " + std::string(op) +
                 " (supported: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, "
                 "StringLike, StringNotLike, Bool)");
    }
    base.negated = op.find("Not") != std::string_view::npos;
    simdjson::dom::object entries;
    if (keys.get_object().get(entries) != simdjson::SUCCESS) {
      return Bad("Condition " + std::string(op) + " must be an object");
    }
    for (auto [key_name, values] : entries) {
      std::string_view key = key_name;
      auto known = std::find_if(std::begin(kKeys), std::end(kKeys),
                                [&](std::string_view k) { return EqualsIgnoreCase(k, key); });
      if (known == std::end(kKeys)) {
        return Bad("unsupported condition key " + std::string(key) +
                   " (supported: aws:SecureTransport, aws:PrincipalAccount, aws:PrincipalArn, aws:username, "
                   "aws:RequestedRegion)");
      }
      bool is_bool_key = *known == "aws:SecureTransport";
      if (is_bool_key != (base.op == IamPolicy::Condition::Op::kBool)) {
        return Bad("condition key " + std::string(*known) + " cannot be used with " + std::string(op));
      }
      IamPolicy::Condition condition = base;
      condition.key = std::string(*known);
      std::string error;
      condition.values = Strings(values, "a condition value", error);
      if (!error.empty()) return Bad(error);
      out.push_back(std::move(condition));
    }
  }
  return Status::Ok();
}

Status ParsePrincipal(element value, IamPolicy::Statement& statement) {
  std::string_view star;
  if (value.get_string().get(star) == simdjson::SUCCESS) {
    if (star != "*") return Bad("Principal must be \"*\" or an object such as {\"AWS\": ...}");
    statement.principals.emplace_back("*");
    return Status::Ok();
  }
  simdjson::dom::object kinds;
  if (value.get_object().get(kinds) != simdjson::SUCCESS) return Bad("Principal must be \"*\" or an object");
  for (auto [kind, names] : kinds) {
    std::string error;
    std::vector<std::string> list = Strings(names, "a Principal", error);
    if (!error.empty()) return Bad(error);
    if (std::string_view(kind) != "AWS") continue;  // Service, Federated, ...: never a Riffle key
    for (std::string& name : list) statement.principals.push_back(std::move(name));
  }
  return Status::Ok();
}

Status ParseStatement(element value, IamPolicy::Kind kind, IamPolicy::Statement& statement) {
  simdjson::dom::object fields;
  if (value.get_object().get(fields) != simdjson::SUCCESS) return Bad("each Statement must be an object");
  bool has_effect = false, has_action = false, has_resource = false;
  for (auto [name_view, field] : fields) {
    std::string_view name = name_view;
    std::string error;
    if (name == "Sid") {
      continue;
    } else if (name == "Effect") {
      std::string_view effect;
      if (field.get_string().get(effect) != simdjson::SUCCESS || (effect != "Allow" && effect != "Deny")) {
        return Bad("Effect must be \"Allow\" or \"Deny\"");
      }
      statement.allow = effect == "Allow";
      has_effect = true;
    } else if (name == "Action" || name == "NotAction") {
      if (has_action) return Bad("a Statement has one of Action and NotAction");
      statement.not_action = name == "NotAction";
      statement.actions = Strings(field, name, error);
      has_action = true;
    } else if (name == "Resource" || name == "NotResource") {
      if (has_resource) return Bad("a Statement has one of Resource and NotResource");
      statement.not_resource = name == "NotResource";
      statement.resources = Strings(field, name, error);
      for (const std::string& r : statement.resources) {
        if (r.find("${") != std::string::npos) return Bad("policy variables are not supported: " + r);
      }
      has_resource = true;
    } else if (name == "Principal" || name == "NotPrincipal") {
      if (kind == IamPolicy::Kind::kIdentity) return Bad(std::string(name) + " is not allowed in an identity policy");
      if (statement.has_principal) return Bad("a Statement has one of Principal and NotPrincipal");
      statement.has_principal = true;
      statement.not_principal = name == "NotPrincipal";
      Status status = ParsePrincipal(field, statement);
      if (!status.ok()) return status;
    } else if (name == "Condition") {
      Status status = ParseConditions(field, statement.conditions);
      if (!status.ok()) return status;
    } else {
      return Bad("unsupported Statement element " + std::string(name));
    }
    if (!error.empty()) return Bad(error);
  }
  if (!has_effect) return Bad("a Statement needs an Effect");
  if (!has_action) return Bad("a Statement needs an Action or NotAction");
  if (!has_resource) {
    if (kind == IamPolicy::Kind::kIdentity) return Bad("a Statement needs a Resource or NotResource");
    statement.any_resource = true;
  }
  if (kind == IamPolicy::Kind::kResource && !statement.has_principal) {
    return Bad("a Statement of a resource policy needs a Principal");
  }
  return Status::Ok();
}

bool ConditionHolds(const IamPolicy::Condition& condition, const PolicyQuestion& q) {
  std::string_view actual;
  if (condition.key == "aws:SecureTransport") {
    actual = q.secure_transport ? "true" : "false";
  } else if (condition.key == "aws:PrincipalAccount") {
    actual = q.principal_account;
  } else if (condition.key == "aws:PrincipalArn") {
    actual = q.principal_arn;
  } else if (condition.key == "aws:username") {
    actual = q.user_name;
  } else {
    actual = q.region;
  }
  bool any = false;
  for (const std::string& value : condition.values) {
    switch (condition.op) {
      case IamPolicy::Condition::Op::kStringEquals:
        any = any || value == actual;
        break;
      case IamPolicy::Condition::Op::kStringEqualsIgnoreCase:
      case IamPolicy::Condition::Op::kBool:
        any = any || EqualsIgnoreCase(value, actual);
        break;
      case IamPolicy::Condition::Op::kStringLike:
        any = any || WildcardMatch(value, actual, false);
        break;
    }
  }
  return condition.negated ? !any : any;
}

bool PrincipalMatches(const std::vector<std::string>& principals, const PolicyQuestion& q) {
  for (const std::string& p : principals) {
    if (p == "*" || p == q.principal_arn || p == q.principal_account) return true;
    if (p == "arn:aws:iam::" + std::string(q.principal_account) + ":root") return true;
  }
  return false;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || Fold(pattern[p], ignore_case) == Fold(text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool ArnMatch(std::string_view pattern, std::string_view arn) {
  if (pattern == "*") return true;
  // arn:partition:service:region:account:resource — the resource keeps its colons.
  for (int segment = 0; segment < 5; ++segment) {
    size_t pc = pattern.find(':');
    if (pc == std::string_view::npos) return WildcardMatch(pattern, arn, false);
    size_t ac = arn.find(':');
    if (ac == std::string_view::npos) return false;
    if (!WildcardMatch(pattern.substr(0, pc), arn.substr(0, ac), false)) return false;
    pattern.remove_prefix(pc + 1);
    arn.remove_prefix(ac + 1);
  }
  return WildcardMatch(pattern, arn, false);
}

StatusOr<IamPolicy> IamPolicy::Parse(std::string_view json, Kind kind) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return Bad("the policy is not valid JSON");
  simdjson::dom::object document;
  if (root.get_object().get(document) != simdjson::SUCCESS) return Bad("the policy must be a JSON object");
  IamPolicy policy;
  bool has_statement = false;
  for (auto [name_view, field] : document) {
    std::string_view name = name_view;
    if (name == "Version") {
      std::string_view version;
      if (field.get_string().get(version) != simdjson::SUCCESS ||
          (version != "2012-10-17" && version != "2008-10-17")) {
        return Bad("Version must be \"2012-10-17\" or \"2008-10-17\"");
      }
    } else if (name == "Id") {
      continue;
    } else if (name == "Statement") {
      has_statement = true;
      std::vector<element> items;
      if (field.is_array()) {
        simdjson::dom::array list = field.get_array().value_unsafe();
        for (element e : list) items.push_back(e);
      } else {
        items.push_back(field);
      }
      for (element item : items) {
        Statement statement;
        Status status = ParseStatement(item, kind, statement);
        if (!status.ok()) return status;
        policy.statements_.push_back(std::move(statement));
      }
    } else {
      return Bad("unsupported policy element " + std::string(name));
    }
  }
  if (!has_statement) return Bad("the policy has no Statement");
  return policy;
}

PolicyDecision IamPolicy::Evaluate(const PolicyQuestion& q) const {
  bool allowed = false;
  for (const Statement& s : statements_) {
    bool action = std::any_of(s.actions.begin(), s.actions.end(),
                              [&](const std::string& a) { return WildcardMatch(a, q.action, true); });
    if (action == s.not_action) continue;
    if (!s.any_resource) {
      bool resource = std::any_of(s.resources.begin(), s.resources.end(),
                                  [&](const std::string& r) { return ArnMatch(r, q.resource); });
      if (resource == s.not_resource) continue;
    }
    if (s.has_principal && PrincipalMatches(s.principals, q) == s.not_principal) continue;
    if (!std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const Condition& c) { return ConditionHolds(c, q); })) {
      continue;
    }
    if (!s.allow) return PolicyDecision::kDeny;
    allowed = true;
  }
  return allowed ? PolicyDecision::kAllow : PolicyDecision::kNoMatch;
}

}  // namespace riffle::protocol
