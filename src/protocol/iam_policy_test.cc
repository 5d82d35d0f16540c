// IAM policy parsing and evaluation: wildcards, NotAction/NotResource,
// explicit deny, principals, conditions, and what Parse refuses.
#include "protocol/iam_policy.h"

#include <gtest/gtest.h>

namespace riffle::protocol {
namespace {

constexpr char kStream[] = "arn:aws:kinesis:us-east-1:111111111111:stream/orders";

PolicyQuestion Ask(std::string_view action, std::string_view resource = kStream) {
  PolicyQuestion q;
  q.action = action;
  q.resource = resource;
  q.principal_arn = "arn:aws:iam::222222222222:user/reader";
  q.principal_account = "222222222222";
  q.user_name = "reader";
  q.region = "us-east-1";
  return q;
}

IamPolicy Identity(std::string_view json) {
  auto policy = IamPolicy::Parse(json, IamPolicy::Kind::kIdentity);
  EXPECT_TRUE(policy.ok()) << policy.status().message();
  return std::move(policy).value();
}

TEST(IamPolicy, Wildcards) {
  EXPECT_TRUE(WildcardMatch("kinesis:Get*", "kinesis:GetRecords", false));
  EXPECT_TRUE(WildcardMatch("KINESIS:get?ecords", "kinesis:GetRecords", true));
  EXPECT_FALSE(WildcardMatch("kinesis:Get*", "kinesis:PutRecord", true));
  EXPECT_TRUE(ArnMatch("*", kStream));
  EXPECT_TRUE(ArnMatch("arn:aws:kinesis:*:111111111111:stream/*", kStream));
  EXPECT_TRUE(ArnMatch("arn:aws:kinesis:*", kStream));
  EXPECT_FALSE(ArnMatch("arn:aws:kinesis:*:222222222222:stream/*", kStream));
  EXPECT_FALSE(ArnMatch("arn:aws:kinesis:us-east-1:111111111111:stream/order", kStream));
  EXPECT_TRUE(ArnMatch("arn:aws:kinesis:us-east-1:111111111111:stream/orders/consumer/*",
                       "arn:aws:kinesis:us-east-1:111111111111:stream/orders/consumer/app:1700000000"));
}

TEST(IamPolicy, ReadOnlyAllowsReadsOnly) {
  IamPolicy policy = Identity(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": ["kinesis:Get*", "kinesis:Describe*", "kinesis:List*"], "Resource": "*"}]})");
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:GetRecords")), PolicyDecision::kAllow);
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:PutRecord")), PolicyDecision::kNoMatch);
}

TEST(IamPolicy, ExplicitDenyWins) {
  IamPolicy policy = Identity(R"({"Statement": [
      {"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"},
      {"Effect": "Deny", "Action": "kinesis:DeleteStream", "Resource": "arn:aws:kinesis:*:*:stream/orders"}]})");
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:PutRecord")), PolicyDecision::kAllow);
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:DeleteStream")), PolicyDecision::kDeny);
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:DeleteStream", "arn:aws:kinesis:us-east-1:111111111111:stream/b")),
            PolicyDecision::kAllow);
}

TEST(IamPolicy, NotActionAndNotResource) {
  IamPolicy policy = Identity(R"({"Statement": {"Effect": "Allow", "NotAction": "kinesis:Delete*",
      "NotResource": "arn:aws:kinesis:*:*:stream/secret"}})");
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:PutRecord")), PolicyDecision::kAllow);
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:DeleteStream")), PolicyDecision::kNoMatch);
  EXPECT_EQ(policy.Evaluate(Ask("kinesis:PutRecord", "arn:aws:kinesis:us-east-1:1:stream/secret")),
            PolicyDecision::kNoMatch);
}

TEST(IamPolicy, ResourcePolicyPrincipals) {
  auto parse = [](std::string_view principal) {
    std::string json = R"({"Statement": [{"Effect": "Allow", "Principal": )" + std::string(principal) +
                       R"(, "Action": "kinesis:GetRecords", "Resource": "*"}]})";
    auto policy = IamPolicy::Parse(json, IamPolicy::Kind::kResource);
    EXPECT_TRUE(policy.ok()) << policy.status().message();
    return std::move(policy).value();
  };
  EXPECT_EQ(parse(R"("*")").Evaluate(Ask("kinesis:GetRecords")), PolicyDecision::kAllow);
  EXPECT_EQ(parse(R"({"AWS": "222222222222"})").Evaluate(Ask("kinesis:GetRecords")), PolicyDecision::kAllow);
  EXPECT_EQ(parse(R"({"AWS": ["arn:aws:iam::222222222222:root"]})").Evaluate(Ask("kinesis:GetRecords")),
            PolicyDecision::kAllow);
  EXPECT_EQ(parse(R"({"AWS": "arn:aws:iam::222222222222:user/reader"})").Evaluate(Ask("kinesis:GetRecords")),
            PolicyDecision::kAllow);
  EXPECT_EQ(parse(R"({"AWS": "arn:aws:iam::222222222222:user/other"})").Evaluate(Ask("kinesis:GetRecords")),
            PolicyDecision::kNoMatch);
  EXPECT_EQ(parse(R"({"AWS": "333333333333"})").Evaluate(Ask("kinesis:GetRecords")), PolicyDecision::kNoMatch);
  EXPECT_EQ(parse(R"({"Service": "firehose.amazonaws.com"})").Evaluate(Ask("kinesis:GetRecords")),
            PolicyDecision::kNoMatch);
}

TEST(IamPolicy, Conditions) {
  IamPolicy policy = Identity(R"({"Statement": [
      {"Effect": "Allow", "Action": "kinesis:*", "Resource": "*",
       "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
      {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})");
  PolicyQuestion q = Ask("kinesis:PutRecord");
  EXPECT_EQ(policy.Evaluate(q), PolicyDecision::kDeny);
  q.secure_transport = true;
  EXPECT_EQ(policy.Evaluate(q), PolicyDecision::kAllow);
  q.region = "ap-south-1";
  EXPECT_EQ(policy.Evaluate(q), PolicyDecision::kNoMatch);
}

TEST(IamPolicy, ParseRefusesWhatItCannotEvaluate) {
  auto refused = [](std::string_view json, IamPolicy::Kind kind, std::string_view why) {
    auto policy = IamPolicy::Parse(json, kind);
    ASSERT_FALSE(policy.ok());
    EXPECT_NE(policy.status().message().find(why), std::string::npos) << policy.status().message();
  };
  auto identity = IamPolicy::Kind::kIdentity;
  refused("[]", identity, "JSON object");
  refused("{", identity, "not valid JSON");
  refused(R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
      "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})",
          identity, "unsupported condition operator IpAddress");
  refused(R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
      "Condition": {"StringEquals": {"kinesis:Foo": "x"}}}]})", identity, "unsupported condition key kinesis:Foo");
  refused(R"({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})", identity, "Effect");
  refused(R"({"Statement": [{"Effect": "Allow", "Action": "*"}]})", identity, "needs a Resource");
  refused(R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})", identity,
          "not allowed in an identity policy");
  refused(R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})", IamPolicy::Kind::kResource,
          "needs a Principal");
  refused(R"({"Statement": [{"Effect": "Allow", "Action": "*",
      "Resource": "arn:aws:kinesis:*:*:stream/${aws:username}"}]})", identity, "policy variables");
  refused(R"({"Version": "2020-01-01", "Statement": []})", identity, "Version");
}

}  // namespace
}  // namespace riffle::protocol
