// The handler list: sorted (FindHandler binary-searches it), every name is
// an operation of the botocore model, and lookups find exactly those.
#include "handlers/handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "protocol/wire_types.h"

namespace riffle::handlers {
namespace {

TEST(HandlersTest, SortedAndUnique) {
  auto all = AllHandlers();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].operation, all[i].operation);
}

TEST(HandlersTest, EveryHandlerIsAModelOperation) {
  const auto& model = wire::kModelOperations;
  for (const Handler& h : AllHandlers()) {
    EXPECT_NE(std::find(model.begin(), model.end(), h.operation), model.end()) << h.operation;
    EXPECT_EQ(FindHandler(h.operation), &h);
  }
}

// The registered handlers are exactly the model's operations (a model
// update shows up as a failure here).
TEST(HandlersTest, HandlersAreTheModelOperations) {
  std::vector<std::string_view> expected(wire::kModelOperations.begin(), wire::kModelOperations.end());
  std::vector<std::string_view> actual;
  for (const Handler& h : AllHandlers()) actual.push_back(h.operation);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(actual, expected);
  // botocore 1.43's 39 and the newest JavaScript SDK's 6 (the five channel
  // operations and UpdateStreamRecordDistributionStrategy).
  EXPECT_EQ(actual.size(), 45u);
  for (const char* op : {"CreateChannel", "DescribeChannel", "ListChannels", "UpdateChannel", "DeleteChannel",
                         "UpdateStreamRecordDistributionStrategy"}) {
    EXPECT_NE(FindHandler(op), nullptr) << op;
  }
}

TEST(HandlersTest, OriginalApiIsComplete) {
  // The 13 operations of the 2013-12-02 API that boto 2's KinesisConnection calls.
  for (const char* op : {"AddTagsToStream", "CreateStream", "DeleteStream", "DescribeStream", "GetRecords",
                         "GetShardIterator", "ListStreams", "ListTagsForStream", "MergeShards", "PutRecord",
                         "PutRecords", "RemoveTagsFromStream", "SplitShard"}) {
    EXPECT_NE(FindHandler(op), nullptr) << op;
  }
  EXPECT_EQ(FindHandler("NoSuchOperation"), nullptr);
  EXPECT_EQ(FindHandler(""), nullptr);
}

}  // namespace
}  // namespace riffle::handlers
