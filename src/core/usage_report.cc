#include "core/usage_report.h"

#include "core/byte_codec.h"

namespace riffle::core {

std::string EncodeUsageReport(const UsageReport& report) {
  std::string out(1, static_cast<char>(kUsageReportVersion));
  PutVarint(out, report.shards.size());
  for (const ShardUsage& u : report.shards) {
    for (uint64_t v : {u.incarnation, uint64_t{u.shard_index}, u.write_records, u.write_bytes, u.read_calls,
                       u.read_bytes}) {
      PutVarint(out, v);
    }
  }
  PutVarint(out, report.calls.size());
  for (const CallUsage& c : report.calls) {
    PutString(out, c.operation);
    PutString(out, c.scope_key);
    PutVarint(out, c.calls);
  }
  return out;
}

std::optional<UsageReport> DecodeUsageReport(std::string_view bytes) {
  ByteReader in(bytes);
  if (in.U8() != kUsageReportVersion) return std::nullopt;
  UsageReport report;
  // Counts beyond the input's size cannot be met: refused before allocating.
  uint64_t count = in.Varint();
  if (count > bytes.size()) return std::nullopt;
  report.shards.resize(count);
  for (ShardUsage& u : report.shards) {
    u.incarnation = in.Varint();
    u.shard_index = static_cast<uint32_t>(in.Varint());
    u.write_records = in.Varint();
    u.write_bytes = in.Varint();
    u.read_calls = in.Varint();
    u.read_bytes = in.Varint();
  }
  count = in.Varint();
  if (count > bytes.size()) return std::nullopt;
  report.calls.resize(count);
  for (CallUsage& c : report.calls) {
    c.operation = in.String();
    c.scope_key = in.String();
    c.calls = in.Varint();
  }
  if (!in.ok()) return std::nullopt;
  return report;
}

}  // namespace riffle::core
