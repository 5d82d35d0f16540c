// Private state of StreamService, shared by its implementation files only.
#pragma once

#include <algorithm>
#include <atomic>
#include <deque>

#include "core/sequence_number.h"
#include "core/stream_codec.h"
#include "core/stream_service.h"

namespace riffle::core {

// Runtime (not persisted) state of one shard.
struct StreamService::ShardRuntime {
  uint64_t next_counter = 0;    // next counter to assign
  // Every counter below this is settled (readable). Advanced by write
  // completions without the stream lock, so it is atomic.
  std::atomic<uint64_t> committed_end{0};

  // Raises committed_end to at least `end`.
  void Settle(uint64_t end) {
    uint64_t current = committed_end.load();
    while (current < end && !committed_end.compare_exchange_weak(current, end)) {
    }
  }
  int64_t last_arrival_ms = 0;  // arrival times never go backwards in a shard
  // Every counter below this is past retention: never returned, being (or
  // already) deleted. Only rises; read without the stream lock.
  std::atomic<uint64_t> trim_end{0};
  void RaiseTrimEnd(uint64_t end) {
    uint64_t current = trim_end.load();
    while (current < end && !trim_end.compare_exchange_weak(current, end)) {
    }
  }
};

struct StreamService::Stream {
  std::mutex mu;
  StreamState state;
  // Parallel to state.shards; a deque so that references stay valid while
  // shards are added (write completions hold pointers into it).
  std::deque<ShardRuntime> runtime;
  std::vector<uint32_t> open_by_start;  // open shards sorted by range start
  std::map<std::string, ConsumerState> consumers;  // by name; persisted under their own keys

  // The consumer a resource names, if it exists and (when the resource came
  // from an ARN) has the ARN's creation time; nullptr otherwise.
  // REQUIRES: mu held and resource.consumer set.
  ConsumerState* FindConsumer(const ResourceRef& resource) {
    auto it = consumers.find(*resource.consumer);
    if (it == consumers.end()) return nullptr;
    if (resource.consumer_created_seconds && *resource.consumer_created_seconds != it->second.created_ms / 1000) {
      return nullptr;
    }
    return &it->second;
  }

  // REQUIRES: mu held (or exclusive ownership).
  void RebuildRouting() {
    open_by_start.clear();
    for (const ShardState& shard : state.shards) {
      if (!shard.closed) open_by_start.push_back(shard.index);
    }
    std::sort(open_by_start.begin(), open_by_start.end(), [this](uint32_t a, uint32_t b) {
      return state.shards[a].range.start < state.shards[b].range.start;
    });
  }
  // The open shard whose range holds `key`. REQUIRES: mu held.
  uint32_t Route(HashKey key) const {
    auto it = std::upper_bound(open_by_start.begin(), open_by_start.end(), key,
                               [this](HashKey k, uint32_t index) { return k < state.shards[index].range.start; });
    return *(it - 1);  // open ranges cover the whole space, so it > begin
  }
  bool IsGone(int64_t now) const {
    return state.status == StreamStatus::kDeleting && now >= state.transition_due_ms;
  }
  store::ShardKey Key(uint32_t index) const { return {state.incarnation, index}; }
  std::string SequenceAt(uint32_t index, uint64_t counter, int64_t ms) const {
    SequenceNumber s;
    s.incarnation = state.incarnation;
    s.shard_index = index;
    s.counter = counter;
    s.seconds = static_cast<uint64_t>(std::max<int64_t>(ms, 0) / 1000) & SequenceNumber::kMaxSeconds;
    return s.ToString();
  }
  // One shard as DescribeStream/ListShards show it. REQUIRES: mu held.
  ShardDescription Describe(const ShardState& shard) const {
    ShardDescription sd;
    sd.shard_id = ShardIdString(shard.index);
    if (shard.parent) sd.parent_shard_id = ShardIdString(*shard.parent);
    if (shard.adjacent_parent) sd.adjacent_parent_shard_id = ShardIdString(*shard.adjacent_parent);
    sd.range = shard.range;
    // The counter before the first one (docs/storage-format.md), so that
    // AFTER_SEQUENCE_NUMBER of it still reads the shard's first record.
    uint64_t before_first = shard.start_counter > 0 ? shard.start_counter - 1 : 0;
    sd.starting_sequence_number = SequenceAt(shard.index, before_first, shard.created_ms);
    if (shard.closed) {
      uint64_t last = shard.end_counter > shard.start_counter ? shard.end_counter - 1 : before_first;
      sd.ending_sequence_number = SequenceAt(shard.index, last, shard.closed_ms);
    }
    return sd;
  }
  // Appends a fresh open shard. REQUIRES: mu held.
  ShardState& AddShard(HashKeyRange range, uint64_t start_counter, int64_t now) {
    ShardState shard;
    shard.index = static_cast<uint32_t>(state.shards.size());
    shard.range = range;
    shard.start_counter = start_counter;
    shard.created_ms = now;
    state.shards.push_back(shard);
    ShardRuntime& rt = runtime.emplace_back();
    rt.next_counter = start_counter;
    rt.committed_end = start_counter;
    return state.shards.back();
  }
  // Closes an open shard at its next counter. REQUIRES: mu held.
  void CloseShard(uint32_t index, int64_t now) {
    ShardState& shard = state.shards[index];
    shard.closed = true;
    shard.end_counter = runtime[index].next_counter;
    shard.closed_ms = now;
  }
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
