// ScanGetRecords: what riffle-bench needs from a GetRecords answer, read
// without building records (simdjson on-demand): the record count, the
// decoded size of all Data members, NextShardIterator, MillisBehindLatest,
// and optionally each record's base64 Data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace riffle::bench {

struct RecordsPage {
  std::optional<std::string> next_shard_iterator;
  int64_t millis_behind_latest = 0;
  size_t records = 0;
  size_t data_bytes = 0;  // decoded size of all Data members
};

using RecordVisitor = std::function<void(std::string_view data_base64)>;
// nullopt when the body is not a GetRecords answer.
std::optional<RecordsPage> ScanGetRecords(const std::string& body, const RecordVisitor& on_record = nullptr);

// The send time (steady clock ns) a produce-consume record carries in its
// first 8 bytes; nullopt for a shorter record.
std::optional<int64_t> SentTime(std::string_view data);

}  // namespace riffle::bench
