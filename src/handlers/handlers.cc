#include "handlers/handlers.h"

#include <algorithm>
#include <array>

namespace riffle::handlers {

namespace {

// Sorted by operation name (FindHandler binary-searches it; a unit test
// checks the order and that every name is an operation of the model).
constexpr std::array kHandlers = {
    Handler{"AddTagsToStream", &HandleAddTagsToStream},
    Handler{"CreateStream", &HandleCreateStream},
    Handler{"DeleteStream", &HandleDeleteStream},
    Handler{"DescribeStream", &HandleDescribeStream},
    Handler{"GetRecords", &HandleGetRecords},
    Handler{"GetShardIterator", &HandleGetShardIterator},
    Handler{"ListStreams", &HandleListStreams},
    Handler{"ListTagsForStream", &HandleListTagsForStream},
    Handler{"MergeShards", &HandleMergeShards},
    Handler{"PutRecord", &HandlePutRecord},
    Handler{"PutRecords", &HandlePutRecords},
    Handler{"RemoveTagsFromStream", &HandleRemoveTagsFromStream},
    Handler{"SplitShard", &HandleSplitShard},
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
