#include "protocol/request_summary.h"

#include <gtest/gtest.h>

namespace riffle::protocol {
namespace {

TEST(RequestSummaryTest, TheStreamIsItsNameOrTheStreamOfAnArn) {
  EXPECT_EQ(StreamOfRequest(R"({"StreamName":"orders","Data":"eA=="})"), "orders");
  EXPECT_EQ(StreamOfRequest(R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/clicks"})"), "clicks");
  EXPECT_EQ(StreamOfRequest(
                R"({"ConsumerARN":"arn:aws:kinesis:us-east-1:000000000000:stream/views/consumer/c1:1700000000"})"),
            "views");
  EXPECT_EQ(StreamOfRequest(R"({"ResourceARN":"arn:aws:kinesis:eu-west-1:1:stream/s"})"), "s");
  // A name wins over an ARN; a request naming no stream has none.
  EXPECT_EQ(StreamOfRequest(R"({"StreamName":"a","StreamARN":"arn:aws:kinesis:r:1:stream/b"})"), "a");
  EXPECT_EQ(StreamOfRequest(R"({"Limit":10})"), "");
  EXPECT_EQ(StreamOfRequest(R"({"StreamARN":"not an arn"})"), "");
  EXPECT_EQ(StreamOfRequest(R"({"StreamName":7})"), "");
  EXPECT_EQ(StreamOfRequest("not json"), "");
  EXPECT_EQ(StreamOfRequest("[]"), "");
}

TEST(RequestSummaryTest, TheErrorTypeLeavesOutItsNamespace) {
  EXPECT_EQ(ErrorTypeOf(R"({"__type":"ResourceNotFoundException","message":"x"})"), "ResourceNotFoundException");
  EXPECT_EQ(ErrorTypeOf(R"({"__type":"com.amazon.coral.service#SerializationException"})"), "SerializationException");
  EXPECT_EQ(ErrorTypeOf(R"({"message":"x"})"), "");
  EXPECT_EQ(ErrorTypeOf("<UnknownOperationException/>"), "");
}

}  // namespace
}  // namespace riffle::protocol
