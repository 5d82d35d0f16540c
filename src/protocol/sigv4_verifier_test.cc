// SigV4 verification against a signature computed independently (Python's
// hashlib/hmac, by the SigV4 algorithm), and each refusal's type and text.
#include "protocol/sigv4_verifier.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace riffle::protocol {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kSignedAt = 1795644000;  // 20261125T220000Z
// Python: the signature of the request Fixture builds, secret kSecret.
constexpr char kSignature[] = "a9e2bed40e6e0cdbf62db97b4895bbcc3f7a823400d8bfda4a5f4b3ed67cf86c";

class SigV4VerifierTest : public ::testing::Test {
 protected:
  SigV4VerifierTest() {
    headers_ = {{"Content-Type", "application/x-amz-json-1.1"},
                {"Host", "127.0.0.1:4567"},
                {"X-Amz-Date", "20261125T220000Z"},
                {"X-Amz-Target", "Kinesis_20131202.DescribeStream"},
                {"Authorization", Authorization("AKID", "20261125/eu-west-1/kinesis/aws4_request", kSignature)}};
    secrets_["AKID"] = SigningSecret{kSecret, ""};
  }

  static std::string Authorization(std::string key, std::string scope, std::string signature,
                                   std::string signed_headers = "content-type;host;x-amz-date;x-amz-target") {
    return "AWS4-HMAC-SHA256 Credential=" + key + "/" + scope + ", SignedHeaders=" + signed_headers +
           ", Signature=" + signature;
  }

  void Set(const std::string& name, std::string value) {
    for (auto& [k, v] : headers_) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    headers_.emplace_back(name, std::move(value));
  }

  ApiResult<VerifiedSignature> Verify(int64_t now = kSignedAt) {
    SignedRequest request{"POST", "/", headers_, "", body_};
    SecretLookup lookup = [this](std::string_view key) -> const SigningSecret* {
      auto it = secrets_.find(std::string(key));
      return it == secrets_.end() ? nullptr : &it->second;
    };
    return verifier_.Verify(request, lookup, now);
  }

  static void ExpectError(const ApiResult<VerifiedSignature>& result, const std::string& type,
                          const std::string& message) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().type, type);
    EXPECT_EQ(result.error().message, message);
    EXPECT_EQ(result.error().http_status, 400);
  }

  SigV4Verifier verifier_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_ = R"({"StreamName":"orders"})";
  std::map<std::string, SigningSecret> secrets_;
};

TEST_F(SigV4VerifierTest, AcceptsTheSignatureComputedElsewhere) {
  auto result = Verify();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().access_key_id, "AKID");
  EXPECT_EQ(result.value().region, "eu-west-1");
  // Again, through the cached signing key; and within 15 minutes either way.
  EXPECT_TRUE(Verify(kSignedAt + 14 * 60).ok());
  EXPECT_TRUE(Verify(kSignedAt - 14 * 60).ok());
}

TEST_F(SigV4VerifierTest, HeaderValuesAreTrimmedAndTheirSpacesFolded) {
  Set("Content-Type", "  application/x-amz-json-1.1   ");
  EXPECT_TRUE(Verify().ok());
  Set("Content-Type", "application/x-amz-json-1.0");
  ExpectError(Verify(), "InvalidSignatureException",
              "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
              "Access Key and signing method. Consult the service documentation for details.");
}

TEST_F(SigV4VerifierTest, AnAlteredBodyOrAWrongSecretDoesNotMatch) {
  body_ = R"({"StreamName":"other"})";
  EXPECT_EQ(Verify().error().type, "InvalidSignatureException");
  body_ = R"({"StreamName":"orders"})";
  secrets_["AKID"].secret_access_key = "not-the-secret";
  EXPECT_EQ(Verify().error().type, "InvalidSignatureException");
  // One hex digit changed in the signature.
  std::string wrong = kSignature;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  secrets_["AKID"].secret_access_key = kSecret;
  Set("Authorization", Authorization("AKID", "20261125/eu-west-1/kinesis/aws4_request", wrong));
  EXPECT_EQ(Verify().error().type, "InvalidSignatureException");
}

TEST_F(SigV4VerifierTest, UnknownKeysAndWrongTokensAreUnrecognized) {
  Set("Authorization", Authorization("NOPE", "20261125/eu-west-1/kinesis/aws4_request", kSignature));
  ExpectError(Verify(), "UnrecognizedClientException", "The security token included in the request is invalid.");
  Set("Authorization", Authorization("AKID", "20261125/eu-west-1/kinesis/aws4_request", kSignature));
  secrets_["AKID"].session_token = "token";
  ExpectError(Verify(), "UnrecognizedClientException", "The security token included in the request is invalid.");
  Set("X-Amz-Security-Token", "other");
  ExpectError(Verify(), "UnrecognizedClientException", "The security token included in the request is invalid.");
  // The right token, not signed here: the signature still covers the rest.
  Set("X-Amz-Security-Token", "token");
  EXPECT_TRUE(Verify().ok());
  secrets_["AKID"].session_token = "";
  ExpectError(Verify(), "UnrecognizedClientException", "The security token included in the request is invalid.");
}

TEST_F(SigV4VerifierTest, SignaturesOutsideFifteenMinutesAreRefusedWithAwsText) {
  ExpectError(Verify(kSignedAt + 20 * 60), "InvalidSignatureException",
              "Signature expired: 20261125T220000Z is now earlier than 20261125T220500Z (20261125T222000Z - 15 min.)");
  ExpectError(Verify(kSignedAt - 20 * 60), "InvalidSignatureException",
              "Signature not yet current: 20261125T220000Z is still later than 20261125T215500Z (20261125T214000Z "
              "+ 15 min.)");
}

TEST_F(SigV4VerifierTest, TheCredentialScopeIsChecked) {
  Set("Authorization", Authorization("AKID", "20261125/eu-west-1/s3/aws4_request", kSignature));
  ExpectError(Verify(), "InvalidSignatureException", "Credential should be scoped to correct service: 'kinesis'. ");
  Set("Authorization", Authorization("AKID", "20261124/eu-west-1/kinesis/aws5_request", kSignature));
  ExpectError(Verify(), "InvalidSignatureException",
              "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
              "'20261124' != '20261125', from '20261125T220000Z'. ");
  Set("Authorization", Authorization("AKID", "20261125/eu-west-1/kinesis", kSignature));
  ExpectError(Verify(), "IncompleteSignatureException",
              "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got "
              "'AKID/20261125/eu-west-1/kinesis'");
}

TEST_F(SigV4VerifierTest, HostOrAuthorityMustBeSigned) {
  Set("Authorization", Authorization("AKID", "20261125/eu-west-1/kinesis/aws4_request", kSignature,
                                     "content-type;x-amz-date;x-amz-target"));
  ExpectError(Verify(), "InvalidSignatureException",
              "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(SigV4Pieces, CanonicalRequestNormalizesPathAndSortsQuery) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", "h"}, {"X-A", " a  b "}, {"x-a", "c"}};
  SignedRequest request{"GET", "/x/./y/../z%20w?b=2&a=1&a=0", headers, "", ""};
  EXPECT_EQ(CanonicalRequest(request, "host;x-a", "HASH"), "GET\n/x/z%2520w\na=0&a=1&b=2\nhost:h\nx-a:a b,c\n\nhost;x-a\nHASH");
  SignedRequest h2{"POST", "/", {}, "localhost:99", ""};
  EXPECT_EQ(CanonicalRequest(h2, ":authority", "H"), "POST\n/\n\n:authority:localhost:99\n\n:authority\nH");
}

TEST(SigV4Pieces, Dates) {
  EXPECT_EQ(ParseAmzDate("20261125T220000Z"), kSignedAt);
  EXPECT_EQ(ParseHttpDate("Wed, 25 Nov 2026 22:00:00 GMT"), kSignedAt);
  EXPECT_EQ(FormatAmzDate(kSignedAt), "20261125T220000Z");
  EXPECT_FALSE(ParseAmzDate("2026-11-25T22:00:00Z"));
  EXPECT_FALSE(ParseAmzDate("20261325T220000Z"));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace riffle::protocol
