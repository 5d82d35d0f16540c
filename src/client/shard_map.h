// ShardMap: a stream's shards by hash key range, read with ListShards: the
// open shards (no EndingSequenceNumber) to route records by hash key, and
// every listed shard's range and parents. Thread-compatible value.
// Internal to libriffle-kinesis.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/hash_key.h"
#include "riffle/kinesis/client.h"
#include "riffle/kinesis/error.h"

namespace riffle::kinesis::internal {

struct ShardInfo {
  std::string id;
  HashKey start = 0;
  HashKey end = 0;
  std::vector<std::string> parents;  // ParentShardId, AdjacentParentShardId
  bool open = true;                  // no EndingSequenceNumber
};

class ShardMap {
 public:
  // Every shard of the stream (all ListShards pages). `stream_name` or
  // `stream_arn` names it.
  static Result<ShardMap> Read(Client& client, const std::string& stream_name, const std::string& stream_arn);
  // From shards already listed (tests, ChildShards).
  static ShardMap FromShards(const std::vector<Shard>& shards);

  // The open shard whose range holds `key`; nullopt when none does.
  const ShardInfo* OpenShardOf(HashKey key) const;
  const ShardInfo* Find(const std::string& shard_id) const;
  const std::map<std::string, ShardInfo>& shards() const { return shards_; }
  bool empty() const { return shards_.empty(); }

 private:
  std::map<std::string, ShardInfo> shards_;
  std::map<HashKey, std::string> open_by_start_;  // open shards' ids by StartingHashKey
};

}  // namespace riffle::kinesis::internal
