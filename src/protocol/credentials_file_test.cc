// The credentials file: the AWS shared format plus account_id and policy_file.
#include "protocol/credentials_file.h"

#include <gtest/gtest.h>

namespace riffle::protocol {
namespace {

TEST(CredentialsFile, ParsesSectionsLikeTheAwsCliWritesThem) {
  auto entries = ParseCredentialsFile(
      "# keys\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key=secret one\n"
      "region = us-east-1\n\n; comment\n[reader]\r\naws_access_key_id=AKIDREADER\r\n"
      "aws_secret_access_key = s2\r\naws_session_token = tok\r\naccount_id = 222222222222\r\n"
      "policy_file = reader.json\r\n");
  ASSERT_TRUE(entries.ok()) << entries.status().message();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].user_name, "default");
  EXPECT_EQ((*entries)[0].access_key_id, "AKIDDEFAULT");
  EXPECT_EQ((*entries)[0].secret_access_key, "secret one");
  EXPECT_EQ((*entries)[0].account_id, "");
  EXPECT_EQ((*entries)[1].user_name, "reader");
  EXPECT_EQ((*entries)[1].session_token, "tok");
  EXPECT_EQ((*entries)[1].account_id, "222222222222");
  EXPECT_EQ((*entries)[1].policy_file, "reader.json");
  EXPECT_TRUE(ParseCredentialsFile("").ok());
}

TEST(CredentialsFile, RefusesWhatItCannotUse) {
  auto message = [](std::string_view text) {
    auto entries = ParseCredentialsFile(text);
    EXPECT_FALSE(entries.ok());
    return entries.ok() ? std::string() : entries.status().message();
  };
  EXPECT_EQ(message("aws_access_key_id = A\n"), "line 1: key outside of a [section]");
  EXPECT_EQ(message("[a]\nnonsense\n"), "line 2: expected key = value");
  EXPECT_EQ(message("[a]\naws_access_key_id = A\n"),
            "line 1: section [a] needs aws_access_key_id and aws_secret_access_key");
  EXPECT_EQ(message("[a]\naws_access_key_id=A\naws_secret_access_key=x\n[b]\naws_access_key_id=A\n"
                    "aws_secret_access_key=y\n"),
            "line 4: access key A appears in two sections");
  EXPECT_EQ(message("[a]\naws_access_key_id=A\naws_secret_access_key=x\naccount_id=12\n"),
            "line 1: account_id of [a] must be 12 digits");
  EXPECT_EQ(message("[a b]\n"), "line 1: a section name must be a user name (no spaces or slashes)");
}

}  // namespace
}  // namespace riffle::protocol
