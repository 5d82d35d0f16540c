// StreamReader: reads a whole stream, every shard, with GetRecords, the way
// the KCL walks a stream's lineage: a shard is read only once all its
// parents (ParentShardId, AdjacentParentShardId) have been read to their
// end, so across splits and merges a partition key's records come in order.
// Aggregated records (riffle/kinesis/aggregation.h) are split into their
// user records; user records whose hash key lies outside the shard they
// were read from are skipped, as the KCL skips them (strays of a producer
// whose shard map was stale, put again by it into the right shard).
//
//   auto reader = kinesis::StreamReader::Create(client, {.stream_name = "orders"});
//   while (true) {
//     auto records = (*reader)->Next();          // blocks until records, or the end
//     if (!records.ok()) ... records.error();
//     if (!*records) break;                       // read everything (follow = false)
//     for (const kinesis::StreamRecord& r : **records) use(r.data);
//   }
//
// Starting points: the oldest record (TRIM_HORIZON; the default), LATEST,
// a time (AT_TIMESTAMP), or a sequence number: the shard holding that
// record starts at it (AT_ or AFTER_SEQUENCE_NUMBER) and every other shard
// at that record's arrival time.
//
// Without `follow`, Next() returns nullopt once every shard is read to its
// end or to its newest record (GetRecords answered nothing more, with
// MillisBehindLatest 0). With `follow` it keeps waiting for new records
// (polling each caught-up shard every poll_interval) until Stop().
//
// Errors: an expired shard iterator is renewed from the last record read;
// throttling is waited out; other errors are returned by Next() (the reader
// stays usable: call Next() again to retry). Next() is thread-compatible;
// Stop() is thread-safe (and async-signal-unsafe).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "riffle/kinesis/client.h"
#include "riffle/kinesis/error.h"
#include "riffle/kinesis/export.h"

namespace riffle::kinesis {

struct StreamPosition {
  enum class Type { kTrimHorizon, kLatest, kAtTimestamp, kAtSequenceNumber, kAfterSequenceNumber };
  Type type = Type::kTrimHorizon;
  double timestamp = 0;          // kAtTimestamp: epoch seconds
  std::string sequence_number;   // kAt/kAfterSequenceNumber
};

struct StreamReaderOptions {
  std::string stream_name;  // or stream_arn
  std::string stream_arn;
  StreamPosition start;
  bool follow = false;
  bool deaggregate = true;
  int limit = 10000;  // GetRecords Limit
  std::chrono::milliseconds poll_interval{1000};  // between GetRecords of a caught-up shard (follow)
};

// One user record (or Kinesis record, without deaggregate).
struct StreamRecord {
  std::string shard_id;
  std::string sequence_number;
  uint64_t sub_sequence_number = 0;
  bool aggregated = false;  // came out of an aggregated record
  std::string partition_key;
  std::optional<std::string> explicit_hash_key;
  std::string data;
  double approximate_arrival_timestamp = 0;  // epoch seconds
};

class RIFFLE_KINESIS_EXPORT StreamReader {
 public:
  // Lists the stream's shards and places the start; errors of ListShards
  // and GetShardIterator (e.g. ResourceNotFound), kInvalidRequest for bad
  // options.
  static Result<std::unique_ptr<StreamReader>> Create(std::shared_ptr<Client> client, StreamReaderOptions options);
  ~StreamReader();
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  // The next records, in order within each shard; nullopt at the end (not
  // following, or after Stop()).
  Result<std::optional<std::vector<StreamRecord>>> Next();
  // Makes Next() return nullopt soon. Thread-safe.
  void Stop();

 private:
  struct Impl;
  explicit StreamReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace riffle::kinesis
