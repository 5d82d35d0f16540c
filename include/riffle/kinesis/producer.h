// Producer: puts user records into one stream at high throughput, as the
// Kinesis Producer Library does: it batches, aggregates, retries and
// reports each record's outcome.
//
//   auto producer = kinesis::Producer::Create(client, {.stream_name = "orders"});
//   std::future<kinesis::Result<kinesis::RecordReceipt>> f =
//       (*producer)->Add({.partition_key = "customer-1", .data = "hello"});
//   ... (*producer)->Flush();  f.get() -> shard, sequence number, sub-sequence number
//
// What it does with a record:
//  - routes it by its hash key (MD5 of the partition key, or its explicit
//    hash key) to the open shard that owns it, per a shard map read with
//    ListShards (and read again when a put lands elsewhere);
//  - aggregates (aggregate = true) the records of one shard into KPL
//    aggregated records (riffle/kinesis/aggregation.h) of at most
//    aggregation_max_bytes, sent with the first record's partition key and
//    its hash key as ExplicitHashKey, so they land on that shard; a lone
//    record is sent as it is;
//  - batches the shard's Kinesis records into PutRecords of at most
//    batch_max_records and batch_max_bytes, sent when full, when the oldest
//    record has waited max_buffered_time, or on Flush();
//  - retries only what failed: a failed request's records, or the failed
//    entries of a PutRecords (ProvisionedThroughputExceeded, InternalFailure),
//    after a jittered backoff, until record_ttl has passed since Add
//    (then the outcome is kExpired carrying the last error); errors that no
//    retry can cure (ResourceNotFound, AccessDenied, KMS, validation) fail at
//    once; fail_if_throttled fails throttled records at once. A user record
//    whose aggregated record went to a shard that does not own its hash key
//    (the map was stale) is put again, as the KPL does; the KCL and this
//    library's StreamReader skip such strays;
//  - reports once per record: the shard, sequence number and sub-sequence
//    number (its index in the aggregated record; 0 when sent alone), or the
//    Error.
//
// Guarantees and bounds: every record added gets exactly one outcome; one
// PutRecords in flight per shard at a time (max_in_flight_per_shard), so a
// shard's records are stored in the order they were added unless one had
// to be retried; at most max_in_flight_requests PutRecords in flight in
// all; at most max_buffered_bytes of user data (partition keys and data)
// held between Add and outcome — Add blocks while more would be held. A
// record is put once per success: a retry happens only after a failure the
// service reported, so records are duplicated only when an answer is lost
// on the network (then the client's own retry re-sends the request).
//
// Threads: Add, Flush and FlushAndWait are thread-safe. The Producer runs
// one sending thread and one thread that completes futures and runs the
// callbacks (in outcome order); callbacks must not call FlushAndWait or
// destroy the Producer. The destructor flushes and waits for every outcome
// (up to record_ttl for records that keep failing).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "riffle/kinesis/aggregation.h"
#include "riffle/kinesis/client.h"
#include "riffle/kinesis/error.h"
#include "riffle/kinesis/export.h"

namespace riffle::kinesis {

struct ProducerOptions {
  std::string stream_name;  // or stream_arn
  std::string stream_arn;
  bool aggregate = true;
  size_t aggregation_max_bytes = 51200;  // an aggregated record's data (KPL AggregationMaxSize)
  size_t aggregation_max_count = 4294967295u;
  size_t batch_max_records = 500;        // per PutRecords (KPL CollectionMaxCount)
  size_t batch_max_bytes = 5u << 20;     // data and partition keys per PutRecords (KPL CollectionMaxSize)
  size_t max_record_bytes = 1u << 20;    // a Kinesis record's data and partition key (the stream's limit)
  std::chrono::milliseconds max_buffered_time{100};  // KPL RecordMaxBufferedTime
  std::chrono::milliseconds record_ttl{30000};       // KPL RecordTtl
  size_t max_buffered_bytes = 64u << 20;
  size_t max_in_flight_requests = 24;    // KPL MaxConnections
  size_t max_in_flight_per_shard = 1;
  bool fail_if_throttled = false;        // KPL FailIfThrottled
};

// Where a user record was stored.
struct RecordReceipt {
  std::string shard_id;
  std::string sequence_number;       // of the Kinesis record holding it
  uint64_t sub_sequence_number = 0;  // index in the aggregated record (0 when sent alone)
  bool aggregated = false;
  int attempts = 0;                  // PutRecords that carried it
};

struct ProducerStats {
  uint64_t user_records_added = 0;
  uint64_t user_records_put = 0;
  uint64_t user_records_failed = 0;
  uint64_t kinesis_records_put = 0;  // aggregated or not
  uint64_t requests = 0;             // PutRecords sent
  uint64_t retried_user_records = 0;
  uint64_t shard_map_refreshes = 0;
};

class RIFFLE_KINESIS_EXPORT Producer {
 public:
  // Reads the stream's shard map (ListShards); its error when that fails.
  // kInvalidRequest for options out of bounds.
  static Result<std::unique_ptr<Producer>> Create(std::shared_ptr<Client> client, ProducerOptions options);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `record`; the outcome arrives through the future or `done`. A
  // record the service would refuse (empty or over-long partition key, a
  // bad explicit hash key, over max_record_bytes) fails with kInvalidRequest
  // without being sent. Blocks while the buffer is full.
  std::future<Result<RecordReceipt>> Add(UserRecord record);
  void Add(UserRecord record, std::function<void(Result<RecordReceipt>)> done);

  // Sends everything buffered now, without waiting for max_buffered_time.
  void Flush();
  // Flush(), then waits until every record added so far has its outcome
  // (callbacks run). False when `timeout` passed first.
  bool FlushAndWait(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

  // Records added whose outcome is not delivered yet.
  size_t outstanding() const;
  ProducerStats stats() const;

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace riffle::kinesis
