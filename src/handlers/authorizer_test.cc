// The authorization table covers exactly the handled operations, and the
// AccessDeniedException text has AWS's shape.
#include "handlers/authorizer.h"

#include <gtest/gtest.h>

#include "handlers/handlers.h"

namespace riffle::handlers {
namespace {

TEST(Authorizer, EveryOperationHasARow) {
  for (const Handler& handler : AllHandlers()) {
    EXPECT_TRUE(ResourceKindOf(handler.operation).has_value()) << handler.operation;
  }
  EXPECT_FALSE(ResourceKindOf("NoSuchOperation").has_value());
  EXPECT_EQ(ResourceKindOf("ListStreams"), ResourceKind::kAccount);
  EXPECT_EQ(ResourceKindOf("PutRecord"), ResourceKind::kStream);
  EXPECT_EQ(ResourceKindOf("SubscribeToShard"), ResourceKind::kConsumer);
  EXPECT_EQ(ResourceKindOf("RegisterStreamConsumer"), ResourceKind::kStream);
  EXPECT_EQ(ResourceKindOf("TagResource"), ResourceKind::kStreamOrConsumer);
}

TEST(Authorizer, DeniedMessage) {
  EXPECT_EQ(Authorizer::DeniedMessage("arn:aws:iam::111111111111:user/reader", "kinesis:PutRecord",
                                      "arn:aws:kinesis:us-east-1:111111111111:stream/s",
                                      "because no identity-based policy allows the kinesis:PutRecord action"),
            "User: arn:aws:iam::111111111111:user/reader is not authorized to perform: kinesis:PutRecord on "
            "resource: arn:aws:kinesis:us-east-1:111111111111:stream/s because no identity-based policy allows the "
            "kinesis:PutRecord action");
}

}  // namespace
}  // namespace riffle::handlers
