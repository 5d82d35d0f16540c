#include "handlers/handlers.h"

#include <algorithm>
#include <array>

namespace riffle::handlers {

namespace {

// Sorted by operation name (FindHandler binary-searches it; a unit test
// checks the order and that every name is an operation of the model).
constexpr std::array kHandlers = {
    Handler{"AddTagsToStream", &HandleAddTagsToStream},
    Handler{"CreateChannel", &HandleCreateChannel},
    Handler{"CreateStream", &HandleCreateStream},
    Handler{"DecreaseStreamRetentionPeriod", &HandleDecreaseStreamRetentionPeriod},
    Handler{"DeleteChannel", &HandleDeleteChannel},
    Handler{"DeleteResourcePolicy", &HandleDeleteResourcePolicy},
    Handler{"DeleteStream", &HandleDeleteStream},
    Handler{"DeregisterStreamConsumer", &HandleDeregisterStreamConsumer},
    Handler{"DescribeAccountSettings", &HandleDescribeAccountSettings},
    Handler{"DescribeChannel", &HandleDescribeChannel},
    Handler{"DescribeLimits", &HandleDescribeLimits},
    Handler{"DescribeStream", &HandleDescribeStream},
    Handler{"DescribeStreamConsumer", &HandleDescribeStreamConsumer},
    Handler{"DescribeStreamSummary", &HandleDescribeStreamSummary},
    Handler{"DisableEnhancedMonitoring", &HandleDisableEnhancedMonitoring},
    Handler{"EnableEnhancedMonitoring", &HandleEnableEnhancedMonitoring},
    Handler{"GetRecords", &HandleGetRecords, Runs::kInline},
    Handler{"GetResourcePolicy", &HandleGetResourcePolicy},
    Handler{"GetShardIterator", &HandleGetShardIterator, Runs::kInline},
    Handler{"IncreaseStreamRetentionPeriod", &HandleIncreaseStreamRetentionPeriod},
    Handler{"ListChannels", &HandleListChannels},
    Handler{"ListShards", &HandleListShards},
    Handler{"ListStreamConsumers", &HandleListStreamConsumers},
    Handler{"ListStreams", &HandleListStreams},
    Handler{"ListTagsForResource", &HandleListTagsForResource},
    Handler{"ListTagsForStream", &HandleListTagsForStream},
    Handler{"MergeShards", &HandleMergeShards},
    Handler{"PutRecord", &HandlePutRecord, Runs::kInline},
    Handler{"PutRecords", &HandlePutRecords, Runs::kInline},
    Handler{"PutResourcePolicy", &HandlePutResourcePolicy},
    Handler{"RegisterStreamConsumer", &HandleRegisterStreamConsumer},
    Handler{"RemoveTagsFromStream", &HandleRemoveTagsFromStream},
    Handler{"SplitShard", &HandleSplitShard},
    Handler{"StartStreamEncryption", &HandleStartStreamEncryption},
    Handler{"StopStreamEncryption", &HandleStopStreamEncryption},
    Handler{"SubscribeToShard", &HandleSubscribeToShard, Runs::kInline},
    Handler{"TagResource", &HandleTagResource},
    Handler{"UntagResource", &HandleUntagResource},
    Handler{"UpdateAccountSettings", &HandleUpdateAccountSettings},
    Handler{"UpdateChannel", &HandleUpdateChannel},
    Handler{"UpdateMaxRecordSize", &HandleUpdateMaxRecordSize},
    Handler{"UpdateShardCount", &HandleUpdateShardCount},
    Handler{"UpdateStreamMode", &HandleUpdateStreamMode},
    Handler{"UpdateStreamRecordDistributionStrategy", &HandleUpdateStreamRecordDistributionStrategy},
    Handler{"UpdateStreamWarmThroughput", &HandleUpdateStreamWarmThroughput},
};

}  // namespace

std::span<const Handler> AllHandlers() { return kHandlers; }

const Handler* FindHandler(std::string_view operation) {
  auto it = std::lower_bound(kHandlers.begin(), kHandlers.end(), operation,
                             [](const Handler& h, std::string_view name) { return h.operation < name; });
  if (it == kHandlers.end() || it->operation != operation) return nullptr;
  return &*it;
}

}  // namespace riffle::handlers
