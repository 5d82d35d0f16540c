// The one list of operation handlers. Routing (net/api_router) derives from
// AllHandlers(); every handler lives in its own file named after the
// operation (put_records.cc for PutRecords).
#pragma once

#include <span>
#include <string_view>

#include "handlers/handler.h"

namespace riffle::handlers {

void HandleAddTagsToStream(const Context&, std::string_view, Reply);
void HandleDeleteResourcePolicy(const Context&, std::string_view, Reply);
void HandleGetResourcePolicy(const Context&, std::string_view, Reply);
void HandleListTagsForResource(const Context&, std::string_view, Reply);
void HandlePutResourcePolicy(const Context&, std::string_view, Reply);
void HandleTagResource(const Context&, std::string_view, Reply);
void HandleUntagResource(const Context&, std::string_view, Reply);
void HandleCreateStream(const Context&, std::string_view, Reply);
void HandleDecreaseStreamRetentionPeriod(const Context&, std::string_view, Reply);
void HandleDeleteStream(const Context&, std::string_view, Reply);
void HandleDeregisterStreamConsumer(const Context&, std::string_view, Reply);
void HandleDescribeAccountSettings(const Context&, std::string_view, Reply);
void HandleDescribeLimits(const Context&, std::string_view, Reply);
void HandleDescribeStream(const Context&, std::string_view, Reply);
void HandleDescribeStreamConsumer(const Context&, std::string_view, Reply);
void HandleDescribeStreamSummary(const Context&, std::string_view, Reply);
void HandleDisableEnhancedMonitoring(const Context&, std::string_view, Reply);
void HandleEnableEnhancedMonitoring(const Context&, std::string_view, Reply);
void HandleGetRecords(const Context&, std::string_view, Reply);
void HandleGetShardIterator(const Context&, std::string_view, Reply);
void HandleIncreaseStreamRetentionPeriod(const Context&, std::string_view, Reply);
void HandleListShards(const Context&, std::string_view, Reply);
void HandleListStreamConsumers(const Context&, std::string_view, Reply);
void HandleListStreams(const Context&, std::string_view, Reply);
void HandleListTagsForStream(const Context&, std::string_view, Reply);
void HandleMergeShards(const Context&, std::string_view, Reply);
void HandlePutRecord(const Context&, std::string_view, Reply);
void HandlePutRecords(const Context&, std::string_view, Reply);
void HandleDeleteChannel(const Context&, std::string_view, Reply);
void HandleUpdateChannel(const Context&, std::string_view, Reply);
void HandleListChannels(const Context&, std::string_view, Reply);
void HandleDescribeChannel(const Context&, std::string_view, Reply);
void HandleCreateChannel(const Context&, std::string_view, Reply);
void HandleRegisterStreamConsumer(const Context&, std::string_view, Reply);
void HandleRemoveTagsFromStream(const Context&, std::string_view, Reply);
void HandleSplitShard(const Context&, std::string_view, Reply);
void HandleSubscribeToShard(const Context&, std::string_view, Reply);
void HandleStartStreamEncryption(const Context&, std::string_view, Reply);
void HandleStopStreamEncryption(const Context&, std::string_view, Reply);
void HandleUpdateAccountSettings(const Context&, std::string_view, Reply);
void HandleUpdateMaxRecordSize(const Context&, std::string_view, Reply);
void HandleUpdateStreamRecordDistributionStrategy(const Context&, std::string_view, Reply);
void HandleUpdateShardCount(const Context&, std::string_view, Reply);
void HandleUpdateStreamMode(const Context&, std::string_view, Reply);
void HandleUpdateStreamWarmThroughput(const Context&, std::string_view, Reply);

// Every implemented operation, sorted by name.
std::span<const Handler> AllHandlers();
// The handler for an operation name, or nullptr.
const Handler* FindHandler(std::string_view operation);

}  // namespace riffle::handlers
