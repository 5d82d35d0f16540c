// FaultInjector: flag parsing, rule choice and reproducible decisions.
#include "handlers/fault_injector.h"

#include <gtest/gtest.h>

namespace riffle::handlers {
namespace {

TEST(FaultInjectorTest, ParsesCallFaults) {
  std::string error;
  auto fault = ParseCallFault("PutRecords=0.25:ServiceUnavailable", error);
  ASSERT_TRUE(fault) << error;
  EXPECT_EQ(fault->operation, "PutRecords");
  EXPECT_DOUBLE_EQ(fault->fraction, 0.25);
  EXPECT_EQ(fault->error_code, "ServiceUnavailable");

  fault = ParseCallFault("*=1", error);
  ASSERT_TRUE(fault) << error;
  EXPECT_EQ(fault->error_code, "InternalFailure");

  EXPECT_FALSE(ParseCallFault("PutRecords", error));
  EXPECT_FALSE(ParseCallFault("PutRecord5=0.1", error));
  EXPECT_EQ(error, "unknown operation PutRecord5");
  EXPECT_FALSE(ParseCallFault("PutRecords=1.5", error));
  EXPECT_FALSE(ParseCallFault("PutRecords=-0.1", error));
  EXPECT_FALSE(ParseCallFault("PutRecords=abc", error));
  EXPECT_FALSE(ParseCallFault("PutRecords=0.1:NoSuchError", error));
  EXPECT_EQ(error, "unsupported error code NoSuchError");
}

TEST(FaultInjectorTest, ParsesRecordFaults) {
  std::string error;
  auto fault = ParseRecordFault("0.5", error);
  ASSERT_TRUE(fault) << error;
  EXPECT_EQ(fault->error_code, "ProvisionedThroughputExceededException");
  fault = ParseRecordFault("0.5:InternalFailure", error);
  ASSERT_TRUE(fault) << error;
  EXPECT_EQ(fault->error_code, "InternalFailure");
  EXPECT_FALSE(ParseRecordFault("0.5:ThrottlingException", error));
  EXPECT_FALSE(ParseRecordFault("", error));
}

TEST(FaultInjectorTest, ANamedOperationWinsOverTheWildcard) {
  FaultPlan plan;
  plan.calls.push_back({"*", 1, "InternalFailure"});
  plan.calls.push_back({"ListStreams", 0, "InternalFailure"});
  plan.calls.push_back({"PutRecord", 1, "ServiceUnavailable"});
  FaultInjector faults(plan);
  EXPECT_EQ(faults.CallFails("DescribeStream").value_or(""), "InternalFailure");
  EXPECT_FALSE(faults.CallFails("ListStreams").has_value());
  EXPECT_EQ(faults.CallFails("PutRecord").value_or(""), "ServiceUnavailable");
  EXPECT_FALSE(faults.RecordFails().has_value());
}

TEST(FaultInjectorTest, TheSameSeedGivesTheSameFailures) {
  FaultPlan plan;
  plan.calls.push_back({"PutRecord", 0.3, "InternalFailure"});
  plan.records = RecordFault{0.5, "InternalFailure"};
  plan.seed = 42;
  FaultInjector a(plan), b(plan);
  int failed = 0;
  for (int i = 0; i < 1000; ++i) {
    bool fa = a.CallFails("PutRecord").has_value();
    ASSERT_EQ(fa, b.CallFails("PutRecord").has_value()) << i;
    ASSERT_FALSE(a.CallFails("GetRecords").has_value()) << "uncovered calls fail never";
    failed += fa;
  }
  EXPECT_GT(failed, 200);
  EXPECT_LT(failed, 400);
  int records = 0;
  for (int i = 0; i < 1000; ++i) records += a.RecordFails().has_value();
  EXPECT_GT(records, 400);
  EXPECT_LT(records, 600);

  plan.seed = 43;
  FaultInjector c(plan);
  plan.seed = 42;
  FaultInjector e(plan);
  int differ = 0;
  for (int i = 0; i < 100; ++i) differ += c.CallFails("PutRecord").has_value() != e.CallFails("PutRecord").has_value();
  EXPECT_GT(differ, 0) << "another seed, other failures";
}

}  // namespace
}  // namespace riffle::handlers
