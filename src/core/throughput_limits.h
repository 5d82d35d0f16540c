// ThroughputLimits: Kinesis's provisioned-mode rate limits as token buckets
// driven by the injected Clock — per shard for the data plane, per account
// (or per stream) and operation for the control plane. It only decides;
// callers word the errors. Used when `riffle serve --enforce-limits` is on.
//
// Writes: a record of B bytes (data + partition key) takes one token of the
// shard's records bucket (1000/s) and B of its bytes bucket (1 MiB/s); both
// hold one second's worth. Reads: a GetRecords call takes one token of the
// shard's calls bucket (5/s, five held); the bytes it returns are charged
// afterwards to a read balance that refills at 2 MiB/s up to zero, and calls
// are refused while the balance is negative — so a call returning 10 MiB
// blocks the shard's reads for 5 s, as Kinesis documents.
//
// In a cluster every node keeps its own buckets and tells the others what it
// took (KeepReports, TakeReport); each charges the others' takes to its own
// buckets (Apply), into debt when nodes admitted at the same moment, so the
// limits hold for the cluster as a whole, exceeded at most for the moment a
// report takes to arrive.
//
// Thread-safe (one mutex; buckets of idle shards and scopes are dropped).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/token_bucket.h"
#include "core/usage_report.h"

namespace riffle::core {

// What a control-plane limit counts calls of.
enum class LimitScope { kAccount, kStream };

struct ControlLimit {
  std::string_view operation;
  double per_second;
  LimitScope scope;
};

// The documented transactions-per-second limit of a control-plane
// operation, or nullptr when Kinesis documents none (or a per-day quota).
const ControlLimit* FindControlLimit(std::string_view operation);

// A shard of one stream incarnation (a recreated stream starts afresh).
struct ShardRef {
  uint64_t incarnation = 0;
  uint32_t shard_index = 0;
};

struct ShardRates {
  double write_bytes_per_second = 1024.0 * 1024.0;
  double write_records_per_second = 1000;
  double read_bytes_per_second = 2.0 * 1024.0 * 1024.0;
  double read_calls_per_second = 5;
};

class ThroughputLimits {
 public:
  // `clock` must outlive this.
  explicit ThroughputLimits(const Clock& clock, ShardRates rates = {});

  // Admits one record of `bytes` to `shard`, taking its tokens; false (and
  // nothing taken) when the shard's write rate would be exceeded.
  bool AdmitWrite(ShardRef shard, int64_t bytes);
  // Admits one GetRecords call on `shard`; false when the shard's call rate
  // is exceeded or its read balance is in debt.
  bool AdmitRead(ShardRef shard);
  // Charges the bytes an admitted GetRecords call returned.
  void ChargeRead(ShardRef shard, int64_t bytes);
  // Admits one call limited by `limit`, counted per `scope_key` (the
  // account, or the stream, per limit.scope, as the caller names it).
  bool AdmitCall(const ControlLimit& limit, const std::string& scope_key);

  // --- cluster ---
  // From now on every take is also added to a report of this node's usage.
  void KeepReports();
  // The encoded report (usage_report.h) of the takes since the last call,
  // or "" when there were none.
  std::string TakeReport();
  // Charges another node's report to this node's buckets; a report that
  // cannot be decoded, and calls of operations without a limit, are ignored.
  void Apply(std::string_view report);

 private:
  struct ShardBuckets {
    TokenBucket write_bytes;
    TokenBucket write_records;
    TokenBucket read_bytes;  // capacity 0: a balance that is never positive
    TokenBucket read_calls;
    bool Idle(int64_t now_ms);
  };
  // REQUIRES: mu_ held.
  ShardBuckets& Shard(ShardRef shard, int64_t now_ms);
  TokenBucket& Calls(const ControlLimit& limit, std::string key, int64_t now_ms);
  // REQUIRES: mu_ held. The shard's entry of the report being kept, or
  // nullptr when reports are not kept.
  ShardUsage* Reported(ShardRef shard);
  void PruneIdle(int64_t now_ms);

  const Clock& clock_;
  const ShardRates rates_;
  std::mutex mu_;
  std::unordered_map<std::string, TokenBucket> calls_;  // by operation + "\n" + scope key
  std::unordered_map<uint64_t, ShardBuckets> shards_;   // by Key(ShardRef)
  bool keep_reports_ = false;
  std::unordered_map<uint64_t, ShardUsage> report_shards_;  // by Key(ShardRef)
  std::unordered_map<std::string, CallUsage> report_calls_; // by the calls_ key
};

}  // namespace riffle::core
