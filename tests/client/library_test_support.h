// What the library's tests against a real riffle share: the endpoints the
// wrapper (test_library.py) started, clients for them, unique stream names,
// and a wait for ACTIVE.
#pragma once

#include <gtest/gtest.h>
#include <riffle/kinesis/kinesis.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

namespace riffle::kinesis::testing {

// The value of environment variable `name`; the test is skipped without it.
inline std::string EnvOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

inline std::shared_ptr<Client> MakeClient(const std::string& endpoint, ClientOptions options = {}) {
  options.endpoint = endpoint;
  options.credentials = Credentials{"library-test", "secret", ""};
  auto client = Client::Create(options);
  EXPECT_TRUE(client.ok()) << client.error().ToString();
  return client.ok() ? std::move(client.value()) : nullptr;
}

inline std::string UniqueName(const std::string& prefix) {
  static int counter = 0;
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

// Polls DescribeStreamSummary until ACTIVE (fails the test after 30 s).
inline void WaitActive(Client& client, const std::string& name) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto d = client.DescribeStreamSummary({.StreamName = name});
    ASSERT_TRUE(d.ok()) << d.error().ToString();
    if (d->StreamDescriptionSummary->StreamStatus == "ACTIVE") return;
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << name << " did not become ACTIVE";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A fixture with a client of the plain server (skipped without one).
class LiveServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = EnvOrEmpty("RIFFLE_ENDPOINT");
    if (endpoint_.empty()) GTEST_SKIP() << "RIFFLE_ENDPOINT not set";
    client_ = MakeClient(endpoint_);
    ASSERT_TRUE(client_);
  }

  std::string endpoint_;
  std::shared_ptr<Client> client_;
};

#define ASSERT_OK(result) ASSERT_TRUE((result).ok()) << (result).error().ToString()
#define EXPECT_OK(result) EXPECT_TRUE((result).ok()) << (result).error().ToString()

}  // namespace riffle::kinesis::testing
