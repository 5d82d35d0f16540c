#include "client/shard_map.h"

#include "riffle/kinesis/paginator.h"

namespace riffle::kinesis::internal {

Result<ShardMap> ShardMap::Read(Client& client, const std::string& stream_name, const std::string& stream_arn) {
  ListShardsInput first;
  if (!stream_arn.empty()) {
    first.StreamARN = stream_arn;
  } else {
    first.StreamName = stream_name;
  }
  std::vector<Shard> shards;
  Paginator<ops::ListShards> pages(client, std::move(first));
  while (pages.HasMorePages()) {
    auto page = pages.NextPage();
    if (!page.ok()) return page.error();
    for (Shard& shard : page->Shards.value_or(std::vector<Shard>{})) shards.push_back(std::move(shard));
  }
  return FromShards(shards);
}

ShardMap ShardMap::FromShards(const std::vector<Shard>& shards) {
  ShardMap map;
  for (const Shard& shard : shards) {
    if (!shard.ShardId || !shard.HashKeyRange) continue;
    ShardInfo info;
    info.id = *shard.ShardId;
    auto start = ParseHashKey(shard.HashKeyRange->StartingHashKey.value_or(""));
    auto end = ParseHashKey(shard.HashKeyRange->EndingHashKey.value_or(""));
    if (!start || !end) continue;
    info.start = *start;
    info.end = *end;
    if (shard.ParentShardId) info.parents.push_back(*shard.ParentShardId);
    if (shard.AdjacentParentShardId) info.parents.push_back(*shard.AdjacentParentShardId);
    info.open = !(shard.SequenceNumberRange && shard.SequenceNumberRange->EndingSequenceNumber);
    map.shards_[info.id] = std::move(info);
  }
  for (const auto& [id, info] : map.shards_) {
    if (info.open) map.open_by_start_[info.start] = id;
  }
  return map;
}

const ShardInfo* ShardMap::OpenShardOf(HashKey key) const {
  auto it = open_by_start_.upper_bound(key);
  if (it == open_by_start_.begin()) return nullptr;
  --it;
  const ShardInfo* shard = Find(it->second);
  return shard && key <= shard->end ? shard : nullptr;
}

const ShardInfo* ShardMap::Find(const std::string& shard_id) const {
  auto it = shards_.find(shard_id);
  return it == shards_.end() ? nullptr : &it->second;
}

}  // namespace riffle::kinesis::internal
