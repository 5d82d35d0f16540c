// ShardPartitioner: where compactions of the records and time-index column
// families cut their output files.
//
// Every key of those families starts with a shard prefix (keys.h), and within
// a shard appends only ever add keys above the last one. A file that holds the
// tail of several shards overlaps, on the next level, every file of the shards
// between them, so each compaction into that level rewrote them all: with four
// busy shards nearly every record was copied again at every L0 → L1
// compaction. Cut at a shard boundary, an output file covers one shard's
// newest keys, which overlap nothing below it, and RocksDB moves such a file
// down a level without rewriting it.
//
// A cut is made only once the file holds `min_file_bytes`: thousands of small
// shards then share files instead of making one tiny file each (and as many
// open files).
//
// File boundaries only: which keys exist and what they hold does not change,
// so stores written with or without it read the same. Thread-safe (RocksDB
// creates one partitioner per compaction).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <rocksdb/sst_partitioner.h>

namespace riffle::store::rocksdb_store {

class ShardPartitionerFactory final : public rocksdb::SstPartitionerFactory {
 public:
  // `prefix_bytes`: length of the shard prefix every key starts with.
  ShardPartitionerFactory(size_t prefix_bytes, uint64_t min_file_bytes);

  std::unique_ptr<rocksdb::SstPartitioner> CreatePartitioner(
      const rocksdb::SstPartitioner::Context& context) const override;
  const char* Name() const override { return "RiffleShardPartitionerFactory"; }

 private:
  size_t prefix_bytes_;
  uint64_t min_file_bytes_;
};

// The partitioner itself, exposed for tests.
class ShardPartitioner final : public rocksdb::SstPartitioner {
 public:
  ShardPartitioner(size_t prefix_bytes, uint64_t min_file_bytes)
      : prefix_bytes_(prefix_bytes), min_file_bytes_(min_file_bytes) {}

  const char* Name() const override { return "RiffleShardPartitioner"; }
  // Required when the key's shard differs from the previous key's and the
  // file already holds min_file_bytes.
  rocksdb::PartitionerResult ShouldPartition(const rocksdb::PartitionerRequest& request) override;
  // Always: a file is never split just to be moved.
  bool CanDoTrivialMove(const rocksdb::Slice& smallest_user_key, const rocksdb::Slice& largest_user_key) override;

 private:
  size_t prefix_bytes_;
  uint64_t min_file_bytes_;
};

}  // namespace riffle::store::rocksdb_store
