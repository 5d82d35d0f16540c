// UsageReport: what one node's ThroughputLimits took from its buckets since
// its last report, for the other nodes of a cluster, which charge it to
// theirs (store::Store::ShareUsage), so that Kinesis's limits hold for the
// cluster as a whole. The encoding (docs/storage-format.md, "Usage reports")
// travels between nodes only; it is never persisted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace riffle::core {

struct ShardUsage {
  uint64_t incarnation = 0;
  uint32_t shard_index = 0;
  uint64_t write_records = 0;
  uint64_t write_bytes = 0;
  uint64_t read_calls = 0;
  uint64_t read_bytes = 0;
};

struct CallUsage {
  std::string operation;  // a control-plane operation with a limit (FindControlLimit)
  std::string scope_key;  // what the limit counts calls of (see Admission)
  uint64_t calls = 0;
};

struct UsageReport {
  std::vector<ShardUsage> shards;
  std::vector<CallUsage> calls;
  bool empty() const { return shards.empty() && calls.empty(); }
};

// A report's first byte. Other kinds of report between nodes start with
// another byte (handlers/peer_reports.h).
inline constexpr uint8_t kUsageReportVersion = 1;

std::string EncodeUsageReport(const UsageReport& report);
// nullopt for bytes that are not a report of a version this node knows.
std::optional<UsageReport> DecodeUsageReport(std::string_view bytes);

}  // namespace riffle::core
