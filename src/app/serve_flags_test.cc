#include "app/serve_flags.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace riffle::app {
namespace {

TEST(MaskUrlPassword, MasksPasswordsAndTokens) {
  EXPECT_EQ(MaskUrlPassword("nats://bob:hunter2@n1:4222"), "nats://bob:***@n1:4222");
  EXPECT_EQ(MaskUrlPassword("nats://s3cr3t-token@n1:4222"), "nats://***@n1:4222");
  EXPECT_EQ(MaskUrlPassword("nats://n1:4222,tls://a:b@n2:4222/x"), "nats://n1:4222,tls://a:***@n2:4222/x");
  EXPECT_EQ(MaskUrlPassword("./riffle-data"), "./riffle-data");
}

// `riffle serve` with every flag declared on `config`.
class ServeFlagsTest : public testing::Test {
 protected:
  CLI::App app;
  ServeConfig config;
  ServeFlags flags{app.add_subcommand("serve"), config};
};

TEST_F(ServeFlagsTest, EnvironmentOverDefaultsCommandLineOverEnvironment) {
  setenv("RIFFLE_SHARD_LIMIT", "7", 1);
  setenv("RIFFLE_REGION", "eu-west-1", 1);
  setenv("RIFFLE_IN_MEMORY", "true", 1);
  const char* argv[] = {"riffle", "serve", "--region", "ap-south-1"};
  app.parse(4, const_cast<char**>(argv));
  EXPECT_EQ(flags.ApplyEnvironmentAndFile(""), "");
  unsetenv("RIFFLE_SHARD_LIMIT");
  unsetenv("RIFFLE_REGION");
  unsetenv("RIFFLE_IN_MEMORY");
  EXPECT_EQ(config.shard_limit, 7);
  EXPECT_EQ(config.region, "ap-south-1");
  EXPECT_TRUE(config.in_memory);
  EXPECT_EQ(config.port, 4567);
}

TEST_F(ServeFlagsTest, BadEnvironmentValueNamesTheVariable) {
  setenv("RIFFLE_SYNC", "sometimes", 1);
  const char* argv[] = {"riffle", "serve"};
  app.parse(2, const_cast<char**>(argv));
  std::string error = flags.ApplyEnvironmentAndFile("");
  unsetenv("RIFFLE_SYNC");
  EXPECT_EQ(error, "environment RIFFLE_SYNC: --sync: must be always, never or interval:MS");
  EXPECT_EQ(config.sync, "always");
}

}  // namespace
}  // namespace riffle::app
