// The KPL aggregated record format: many user records in one Kinesis
// record, as the Kinesis Producer Library writes them and the KCL, the
// Lambda de-aggregators and aws-kinesis-agg read them
// (github.com/awslabs/amazon-kinesis-producer aggregation-format.md):
//
//   data = F3 89 9A C2  ||  AggregatedRecord (protobuf, proto2)  ||  MD5(AggregatedRecord)
//
//   message AggregatedRecord {
//     repeated string partition_key_table     = 1;
//     repeated string explicit_hash_key_table = 2;
//     repeated Record records                 = 3;
//   }
//   message Record {
//     required uint64 partition_key_index     = 1;
//     optional uint64 explicit_hash_key_index = 2;
//     required bytes  data                    = 3;
//     repeated Tag    tags                    = 4;   // written by nobody; skipped when read
//   }
//
// The protobuf encoding is written and read by hand here (three fields and
// a nested message): no protobuf runtime for users of the library, and the
// producer sizes a record exactly as it grows it. A user record's sub-sequence
// number is its index in `records`. Plain value types, thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riffle/kinesis/error.h"
#include "riffle/kinesis/export.h"

namespace riffle::kinesis {

// The four bytes every aggregated record starts with.
inline constexpr std::string_view kAggregatedMagic{"\xF3\x89\x9A\xC2", 4};

// One record as its producer meant it.
struct UserRecord {
  std::string partition_key;
  std::string data;
  std::optional<std::string> explicit_hash_key;  // decimal 0..2^128-1
};

// Builds one aggregated record. Keys repeated across records are stored
// once in their tables.
class RIFFLE_KINESIS_EXPORT RecordAggregator {
 public:
  // Bytes of Serialize() once `record` is added (magic and MD5 included).
  size_t SizeWith(const UserRecord& record) const;
  void Add(const UserRecord& record);

  size_t size() const;  // bytes of Serialize() now
  size_t count() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  // The Kinesis record's data. REQUIRES: !empty().
  std::string Serialize() const;
  void Clear();

 private:
  struct Entry {
    uint64_t partition_key_index;
    std::optional<uint64_t> explicit_hash_key_index;
    std::string data;
  };
  static size_t EntrySize(const Entry& entry);
  size_t AddedBytes(const UserRecord& record) const;

  std::vector<std::string> partition_keys_;
  std::map<std::string, uint64_t, std::less<>> partition_key_index_;
  std::vector<std::string> explicit_hash_keys_;
  std::map<std::string, uint64_t, std::less<>> explicit_hash_key_index_;
  std::vector<Entry> records_;
  size_t message_bytes_ = 0;  // of the protobuf message
};

// A user record read back out of a Kinesis record.
struct DeaggregatedRecord {
  std::string partition_key;
  std::optional<std::string> explicit_hash_key;
  std::string data;
  uint64_t sub_sequence_number = 0;  // index in the aggregated record
};

// True when `data` starts with the magic, its MD5 trailer matches and the
// message parses: what a KCL would de-aggregate.
RIFFLE_KINESIS_EXPORT bool IsAggregated(std::string_view data);

// The user records of an aggregated record's data; kInvalidResponse
// naming the flaw when `data` is not one (no magic, MD5 mismatch, a
// malformed message, a key index out of its table).
RIFFLE_KINESIS_EXPORT Result<std::vector<DeaggregatedRecord>> DecodeAggregated(std::string_view data);

// What a consumer reads: the user records of `data` if it is an aggregated
// record, else the Kinesis record itself as one user record (with
// `partition_key`), as the KCL treats records that are not (or not validly)
// aggregated.
RIFFLE_KINESIS_EXPORT std::vector<DeaggregatedRecord> Deaggregate(std::string_view data,
                                                                  std::string_view partition_key);

}  // namespace riffle::kinesis
