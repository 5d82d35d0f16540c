// Private state of StreamService, shared by its implementation files only.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "core/sequence_number.h"
#include "core/stream_codec.h"
#include "core/stream_service.h"

namespace riffle::core {

// A sequence number of shard `index` of stream incarnation `incarnation`.
inline std::string SequenceAt(uint64_t incarnation, uint32_t index, uint64_t counter, int64_t ms) {
  SequenceNumber s;
  s.incarnation = incarnation;
  s.shard_index = index;
  s.counter = counter;
  s.seconds = static_cast<uint64_t>(std::max<int64_t>(ms, 0) / 1000) & SequenceNumber::kMaxSeconds;
  return s.ToString();
}

// One shard as DescribeStream/ListShards show it.
inline ShardDescription DescribeShard(const StreamState& stream, const ShardState& shard) {
  ShardDescription sd;
  sd.shard_id = ShardIdString(shard.index);
  if (shard.parent) sd.parent_shard_id = ShardIdString(*shard.parent);
  if (shard.adjacent_parent) sd.adjacent_parent_shard_id = ShardIdString(*shard.adjacent_parent);
  sd.range = shard.range;
  // The counter before the first one (docs/storage-format.md), so that
  // AFTER_SEQUENCE_NUMBER of it still reads the shard's first record.
  uint64_t before_first = shard.start_counter > 0 ? shard.start_counter - 1 : 0;
  sd.starting_sequence_number = SequenceAt(stream.incarnation, shard.index, before_first, shard.created_ms);
  if (shard.closed) {
    uint64_t last = shard.end_counter > shard.start_counter ? shard.end_counter - 1 : before_first;
    sd.ending_sequence_number = SequenceAt(stream.incarnation, shard.index, last, shard.closed_ms);
  }
  return sd;
}

// Appends a fresh open shard to `s`.
inline ShardState& AddShard(StreamState& s, HashKeyRange range, uint64_t start_counter, int64_t now) {
  ShardState shard;
  shard.index = static_cast<uint32_t>(s.shards.size());
  shard.range = range;
  shard.start_counter = start_counter;
  shard.created_ms = now;
  s.shards.push_back(shard);
  return s.shards.back();
}

// Closes an open shard at `end` (one past its last counter).
inline void CloseShard(StreamState& s, uint32_t index, uint64_t end, int64_t now) {
  ShardState& shard = s.shards[index];
  shard.closed = true;
  shard.end_counter = std::max(end, shard.start_counter);
  shard.closed_ms = now;
}

// UpdateShardCount's layout change (stream_service_shards.cc): closes the
// open shards that are not a target range at their `ends` and builds the
// target ranges from the pieces (docs/storage-format.md).
void ApplyUniformScaling(StreamState& s, uint32_t target, const std::map<uint32_t, uint64_t>& ends, int64_t now);

inline int64_t OpenShardCount(const StreamState& s) {
  int64_t open = 0;
  for (const ShardState& shard : s.shards) open += shard.closed ? 0 : 1;
  return open;
}

// Waits for a store callback. For control-plane code only (it blocks).
template <typename T>
class Waiter {
 public:
  std::function<void(T)> Callback() {
    return [this](T value) {
      std::lock_guard lock(mu_);
      value_.emplace(std::move(value));
      cv_.notify_all();
    };
  }
  T Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return value_.has_value(); });
    return std::move(*value_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;
};

// Texts shared by several operations, worded as Kinesis words them.
inline std::string NotActiveMessage(const StreamState& s) {
  return "Stream " + s.address.name + " under account " + s.address.account_id + " not ACTIVE, instead in state " +
         StreamStatusName(s.status);
}
inline std::string ShardLimitMessage(const StreamAddress& a, int64_t open, int64_t limit, int64_t additional) {
  return "This request would exceed the shard limit for the account " + a.account_id + " in " + a.region +
         ". Current shard count for the account: " + std::to_string(open) + ". Limit: " + std::to_string(limit) +
         ". Number of additional shards that would have resulted from this request: " + std::to_string(additional) +
         ". Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/"
         "aws_service_limits.html) for current limits and how to request higher limits.";
}
// UpdateShardCount, SplitShard and MergeShards are for PROVISIONED streams only.
// Wording not verified against AWS.
inline Status OnDemandReshardError(const StreamState& s, const char* operation) {
  return Status::Validation(std::string(operation) + " is not supported for stream " + s.address.name +
                            " under account " + s.address.account_id + " because it is in ON_DEMAND capacity mode.");
}
// CreateStream's checks of a StreamCreation on its own (stream_service_modes.cc).
Status CheckStreamCreation(const StreamCreation& creation);
// An ON_DEMAND stream starts with 4 shards, as in Kinesis.
inline constexpr int64_t kOnDemandInitialShards = 4;
// The model's range check (the wire layer makes it first), in its words.
inline std::string MaxRecordSizeRangeMessage(int64_t kib) {
  return "1 validation error detected: Value '" + std::to_string(kib) +
         "' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value " +
         (kib < kDefaultMaxRecordSizeKiB ? "greater than or equal to 1024" : "less than or equal to 10240");
}
// Wording not verified against AWS.
inline std::string OnDemandLimitMessage(const StreamAddress& a, int64_t count, int64_t limit) {
  return "This request would exceed the on-demand stream count limit for the account " + a.account_id + " in " +
         a.region + ". Current on-demand stream count for the account: " + std::to_string(count) +
         ". Limit: " + std::to_string(limit) + ".";
}
// Metric names of a bit set, in Kinesis order.
std::vector<std::string> ShardLevelMetricNames(uint32_t metrics);
// InvalidArgument unless every key and value has only the characters
// Kinesis allows in tags (stream_service_tags.cc).
Status CheckTagText(const std::map<std::string, std::string>& tags);
inline constexpr size_t kMaxTagsPerResource = 50;
inline std::string TooManyTagsMessage(const StreamAddress& a) {
  return "Failed to add tags to stream " + a.name + " under account " + a.account_id +
         " because a given stream cannot have more than 50 tags associated with it.";
}
inline Status ConsumerNotFound(const StreamAddress& a, const std::string& name) {
  // Wording not verified against AWS.
  return Status::NotFound("Consumer " + name + " under stream " + a.name + " not found for account " + a.account_id +
                          ".");
}
inline std::string ShardNotFoundMessage(const std::string& shard_id, const StreamAddress& a) {
  return "Could not find shard " + shard_id + " in stream " + a.name + " under account " + a.account_id + ".";
}

}  // namespace riffle::core
