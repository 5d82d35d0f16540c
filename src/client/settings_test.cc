#include "client/settings.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace riffle::kinesis::internal {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("riffle-settings-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / ".aws");
    env_["HOME"] = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& relative, const std::string& text) { std::ofstream(dir_ / relative) << text; }
  Getenv Env() {
    return [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST(ParseIni, SectionsKeysCommentsAndNestedSettings) {
  IniSections s = ParseIni(
      "# comment\n[default]\nregion = eu-west-1\r\nAWS_Access_Key_Id=AK\n"
      "s3 =\n  max_concurrent_requests = 20\n; another\n[profile  dev ]\nregion=us-west-2\n[broken\nkey=ignored\n");
  EXPECT_EQ(s["default"]["region"], "eu-west-1");
  EXPECT_EQ(s["default"]["aws_access_key_id"], "AK");
  EXPECT_EQ(s["default"].count("max_concurrent_requests"), 0u);
  EXPECT_EQ(s["profile dev"]["region"], "us-west-2");
  EXPECT_EQ(s.count("broken"), 0u);
}

TEST_F(SettingsTest, EnvironmentCredentialsAndEndpointWin) {
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  env_["AWS_SESSION_TOKEN"] = "TOKEN";
  env_["AWS_ENDPOINT_URL"] = "http://general:1";
  env_["AWS_ENDPOINT_URL_KINESIS"] = "http://127.0.0.1:4567";
  env_["AWS_DEFAULT_REGION"] = "ap-south-1";
  Write(".aws/credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n");
  auto s = ResolveSettings({}, Env());
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(s->credentials.session_token, "TOKEN");
  EXPECT_EQ(s->endpoint.url, "http://127.0.0.1:4567");
  EXPECT_EQ(s->region, "ap-south-1");
  env_["AWS_REGION"] = "eu-north-1";
  EXPECT_EQ(ResolveSettings({}, Env())->region, "eu-north-1");
}

TEST_F(SettingsTest, ProfilesOfBothFiles) {
  Write(".aws/credentials", "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n");
  Write(".aws/config", "[profile dev]\nregion = eu-central-1\nendpoint_url = https://kinesis.example:8443\n"
                       "max_attempts = 5\n[default]\nregion = us-west-1\n");
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";  // an explicit profile skips these
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  ClientOptions options;
  options.profile = "dev";
  auto s = ResolveSettings(options, Env());
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "DEVKEY");
  EXPECT_EQ(s->region, "eu-central-1");
  EXPECT_TRUE(s->endpoint.tls);
  EXPECT_EQ(s->endpoint.authority, "kinesis.example:8443");
  EXPECT_EQ(s->max_attempts, 5);
  // AWS_PROFILE names it too, but environment credentials still come first.
  env_["AWS_PROFILE"] = "dev";
  auto via_env = ResolveSettings({}, Env());
  EXPECT_EQ(via_env->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(via_env->region, "eu-central-1");
  // Configured endpoints can be ignored: then the region's AWS endpoint.
  env_["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(ResolveSettings({}, Env())->endpoint.url, "https://kinesis.eu-central-1.amazonaws.com");
}

TEST_F(SettingsTest, MissingThingsAreConfigurationErrors) {
  auto none = ResolveSettings({}, Env());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kInvalidConfiguration);
  ClientOptions fallback;
  fallback.fallback_credentials = Credentials{"f", "g", ""};
  auto s = ResolveSettings(fallback, Env());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->credentials.access_key_id, "f");
  EXPECT_EQ(s->region, "us-east-1");
  EXPECT_EQ(s->endpoint.url, "https://kinesis.us-east-1.amazonaws.com");

  ClientOptions unknown_profile = fallback;
  unknown_profile.profile = "nope";
  EXPECT_EQ(ResolveSettings(unknown_profile, Env()).error().code(), ErrorCode::kInvalidConfiguration);
  ClientOptions bad_endpoint = fallback;
  bad_endpoint.endpoint = "127.0.0.1:4567";  // no scheme
  EXPECT_EQ(ResolveSettings(bad_endpoint, Env()).error().code(), ErrorCode::kInvalidConfiguration);
  env_["AWS_MAX_ATTEMPTS"] = "zero";
  EXPECT_EQ(ResolveSettings(fallback, Env()).error().code(), ErrorCode::kInvalidConfiguration);
}

TEST(Endpoint, Parses) {
  auto e = ParseEndpoint("http://127.0.0.1:4567");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->port, 4567);
  EXPECT_EQ(e->authority, "127.0.0.1:4567");
  EXPECT_EQ(e->path, "/");
  auto s = ParseEndpoint("https://kinesis.us-east-1.amazonaws.com/");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->port, 443);
  EXPECT_EQ(s->authority, "kinesis.us-east-1.amazonaws.com");  // default port left out, as SDKs sign it
  auto v6 = ParseEndpoint("http://[::1]:8080/prefix");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority, "[::1]:8080");
  EXPECT_EQ(v6->path, "/prefix");
  EXPECT_FALSE(ParseEndpoint("ftp://x").ok());
  EXPECT_FALSE(ParseEndpoint("http://x:0").ok());
  EXPECT_FALSE(ParseEndpoint("http://:80").ok());
  EXPECT_EQ(AwsEndpointUrl("cn-north-1"), "https://kinesis.cn-north-1.amazonaws.com.cn");
}

}  // namespace
}  // namespace riffle::kinesis::internal
