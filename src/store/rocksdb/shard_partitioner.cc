#include "store/rocksdb/shard_partitioner.h"

#include <cstring>

namespace riffle::store::rocksdb_store {
namespace {

bool SamePrefix(const rocksdb::Slice& a, const rocksdb::Slice& b, size_t n) {
  if (a.size() < n || b.size() < n) return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
  return std::memcmp(a.data(), b.data(), n) == 0;
}

}  // namespace

ShardPartitionerFactory::ShardPartitionerFactory(size_t prefix_bytes, uint64_t min_file_bytes)
    : prefix_bytes_(prefix_bytes), min_file_bytes_(min_file_bytes) {}

std::unique_ptr<rocksdb::SstPartitioner> ShardPartitionerFactory::CreatePartitioner(
    const rocksdb::SstPartitioner::Context& /*context*/) const {
  return std::make_unique<ShardPartitioner>(prefix_bytes_, min_file_bytes_);
}

rocksdb::PartitionerResult ShardPartitioner::ShouldPartition(const rocksdb::PartitionerRequest& request) {
  if (request.current_output_file_size < min_file_bytes_) return rocksdb::kNotRequired;
  return SamePrefix(*request.prev_user_key, *request.current_user_key, prefix_bytes_) ? rocksdb::kNotRequired
                                                                                       : rocksdb::kRequired;
}

bool ShardPartitioner::CanDoTrivialMove(const rocksdb::Slice& /*smallest_user_key*/,
                                        const rocksdb::Slice& /*largest_user_key*/) {
  return true;
}

}  // namespace riffle::store::rocksdb_store
