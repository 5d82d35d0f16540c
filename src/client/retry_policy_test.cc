#include "client/retry_policy.h"

#include <gtest/gtest.h>

namespace riffle::kinesis::internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

Error Service(int status, const char* type) { return Error::FromService(status, type, "m"); }

// botocore 1.43 standard mode: rand * min(base * 2^(attempt-1), 20 s).
TEST(RetryPolicy, FullJitterExponentialBackoff) {
  EXPECT_EQ(RetryPolicy::Backoff(milliseconds(1000), milliseconds(20000), 1, 1.0), milliseconds(1000));
  EXPECT_EQ(RetryPolicy::Backoff(milliseconds(1000), milliseconds(20000), 3, 0.5), milliseconds(2000));
  EXPECT_EQ(RetryPolicy::Backoff(milliseconds(1000), milliseconds(20000), 10, 1.0), milliseconds(20000));
  EXPECT_EQ(RetryPolicy::Backoff(milliseconds(50), milliseconds(20000), 2, 0.0), nanoseconds(0));
}

TEST(RetryPolicy, RetriesThrottlingAnd5xxOnly) {
  EXPECT_TRUE(Service(400, "ProvisionedThroughputExceededException").IsRetryable());
  EXPECT_TRUE(Service(400, "LimitExceededException").IsThrottling());
  EXPECT_TRUE(Service(400, "com.amazonaws.kinesis#ThrottlingException").IsThrottling());
  EXPECT_TRUE(Service(500, "InternalFailure").IsRetryable());
  EXPECT_TRUE(Service(503, "ServiceUnavailable").IsRetryable());
  EXPECT_TRUE(Error(ErrorCode::kNetworkError, "reset").IsRetryable());
  EXPECT_TRUE(Error(ErrorCode::kTimeout, "slow").IsRetryable());
  EXPECT_FALSE(Service(400, "ResourceNotFoundException").IsRetryable());
  EXPECT_FALSE(Service(400, "ExpiredIteratorException").IsRetryable());
  EXPECT_FALSE(Error(ErrorCode::kTlsError, "bad certificate").IsRetryable());
}

TEST(RetryPolicy, StopsAtMaxAttemptsAndUsesTheBaseOfTheKind) {
  RetryOptions options;
  RetryPolicy policy(options, 3);
  auto first = policy.OnFailure(Service(500, "InternalFailure"), 1);
  ASSERT_TRUE(first);
  EXPECT_LE(first->delay, milliseconds(50));
  auto throttled = policy.OnFailure(Service(400, "ProvisionedThroughputExceededException"), 2);
  ASSERT_TRUE(throttled);
  EXPECT_LE(throttled->delay, milliseconds(2000));
  EXPECT_FALSE(policy.OnFailure(Service(500, "InternalFailure"), 3));
  EXPECT_FALSE(policy.OnFailure(Service(400, "ValidationException"), 1));
  // x-amz-retry-after raises the delay (at most 5 s above the backoff).
  auto after = policy.OnFailure(Service(503, "ServiceUnavailable"), 1, milliseconds(1500));
  ASSERT_TRUE(after);
  EXPECT_GE(after->delay, milliseconds(1500));
}

TEST(RetryPolicy, QuotaRunsOutAndRefills) {
  RetryPolicy policy(RetryOptions{}, 1000);
  int retries = 0;
  while (policy.OnFailure(Error(ErrorCode::kTimeout, "t"), 1)) ++retries;
  EXPECT_EQ(retries, RetryPolicy::kQuotaTokens / RetryPolicy::kTimeoutRetryCost);
  policy.OnSuccess(RetryPolicy::kTimeoutRetryCost);  // a retried call succeeded: its cost comes back
  EXPECT_TRUE(policy.OnFailure(Error(ErrorCode::kTimeout, "t"), 1));
  RetryOptions no_quota;
  no_quota.quota = false;
  RetryPolicy unlimited(no_quota, 1000);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.OnFailure(Error(ErrorCode::kTimeout, "t"), 1));
}

TEST(ErrorCodes, FromTypeAndBack) {
  EXPECT_EQ(ErrorCodeFromType("ResourceNotFoundException"), ErrorCode::kResourceNotFound);
  EXPECT_EQ(ErrorCodeFromType("com.amazonaws.kinesis#ResourceInUseException"), ErrorCode::kResourceInUse);
  EXPECT_EQ(ErrorCodeFromType("ExpiredIteratorException:http://internal.amazon.com/"), ErrorCode::kExpiredIterator);
  EXPECT_EQ(ErrorCodeFromType("InternalFailure"), ErrorCode::kInternalFailure);
  EXPECT_EQ(ErrorCodeFromType("SomethingNew"), ErrorCode::kUnknown);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kProvisionedThroughputExceeded), "ProvisionedThroughputExceededException");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNetworkError), "NetworkError");
  Error e = Error::FromService(400, "SomethingNew", "text", "req-1");
  EXPECT_EQ(e.type(), "SomethingNew");
  EXPECT_EQ(e.ToString(), "SomethingNew: text (HTTP 400, request id req-1)");
}

}  // namespace
}  // namespace riffle::kinesis::internal
