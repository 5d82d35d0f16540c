// Request bodies (awsJson1_1) for the Kinesis data-plane calls and small
// response readers. Bodies are written with protocol::JsonWriter; responses
// are read with simdjson on-demand. No dependency on core or store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace riffle::client {

// The X-Amz-Target of operation `op` ("PutRecord" -> "Kinesis_20131202.PutRecord").
std::string Target(std::string_view op);

std::string CreateStreamBody(std::string_view stream, int shard_count);
std::string DeleteStreamBody(std::string_view stream);
std::string DescribeStreamBody(std::string_view stream, std::string_view exclusive_start_shard_id = {});
std::string PutRecordBody(std::string_view stream, std::string_view partition_key, std::string_view data);

struct PutEntry {
  std::string_view partition_key;
  std::string_view data;  // raw bytes (base64-encoded into the body)
};
std::string PutRecordsBody(std::string_view stream, std::span<const PutEntry> records);

// `type`: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER.
std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id, std::string_view type,
                                 std::string_view starting_sequence_number = {});
std::string GetRecordsBody(std::string_view shard_iterator, std::optional<int> limit = std::nullopt);

// --- Response readers: nullopt when the body is not the expected JSON. ---

// "__type" of an error body ("ResourceNotFoundException"), empty if none.
std::string ErrorType(std::string_view body);

struct StreamDescription {
  std::string status;                  // CREATING, ACTIVE, ...
  std::string arn;                     // StreamARN
  std::vector<std::string> shard_ids;  // in response order
  bool has_more_shards = false;
};
std::optional<StreamDescription> ParseDescribeStream(std::string_view body);

std::optional<std::string> ParseShardIterator(std::string_view body);

// FailedRecordCount of a PutRecords response.
std::optional<int64_t> ParseFailedRecordCount(std::string_view body);

struct RecordsPage {
  std::optional<std::string> next_shard_iterator;
  int64_t millis_behind_latest = 0;
  size_t records = 0;
  size_t data_bytes = 0;  // decoded size of all Data members
};
// Calls `on_record(data_base64, sequence_number)` for every record if set.
using RecordVisitor = std::function<void(std::string_view data_base64, std::string_view sequence_number)>;
std::optional<RecordsPage> ParseGetRecords(std::string_view body, const RecordVisitor& on_record = nullptr);

// Decoded length of padded base64 text.
size_t Base64DecodedSize(std::string_view text);

}  // namespace riffle::client
