#include "core/usage_report.h"

namespace riffle::core {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kShardBytes = 8 + 4 + 4 * 8;

void PutBig(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Big(int bytes, uint64_t* v) {
    if (in_.size() < static_cast<size_t>(bytes)) return false;
    *v = 0;
    for (int i = 0; i < bytes; ++i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(bytes);
    return true;
  }
  bool Text(std::string* s) {
    uint64_t n = 0;
    if (!Big(2, &n) || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  size_t left() const { return in_.size(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeUsageReport(const UsageReport& report) {
  std::string out;
  out.reserve(9 + report.shards.size() * kShardBytes + report.calls.size() * 48);
  out.push_back(static_cast<char>(kVersion));
  PutBig(out, report.shards.size(), 4);
  for (const ShardUsage& u : report.shards) {
    PutBig(out, u.incarnation, 8);
    PutBig(out, u.shard_index, 4);
    PutBig(out, u.write_records, 8);
    PutBig(out, u.write_bytes, 8);
    PutBig(out, u.read_calls, 8);
    PutBig(out, u.read_bytes, 8);
  }
  PutBig(out, report.calls.size(), 4);
  for (const CallUsage& c : report.calls) {
    PutBig(out, c.operation.size(), 2);
    out += c.operation;
    PutBig(out, c.scope_key.size(), 2);
    out += c.scope_key;
    PutBig(out, c.calls, 8);
  }
  return out;
}

std::optional<UsageReport> DecodeUsageReport(std::string_view bytes) {
  Reader in(bytes);
  uint64_t version = 0, count = 0;
  if (!in.Big(1, &version) || version != kVersion || !in.Big(4, &count)) return std::nullopt;
  if (count > in.left() / kShardBytes) return std::nullopt;
  UsageReport report;
  report.shards.resize(count);
  for (ShardUsage& u : report.shards) {
    uint64_t index = 0;
    if (!in.Big(8, &u.incarnation) || !in.Big(4, &index) || !in.Big(8, &u.write_records) ||
        !in.Big(8, &u.write_bytes) || !in.Big(8, &u.read_calls) || !in.Big(8, &u.read_bytes)) {
      return std::nullopt;
    }
    u.shard_index = static_cast<uint32_t>(index);
  }
  if (!in.Big(4, &count) || count > in.left() / 12) return std::nullopt;
  report.calls.resize(count);
  for (CallUsage& c : report.calls) {
    if (!in.Text(&c.operation) || !in.Text(&c.scope_key) || !in.Big(8, &c.calls)) return std::nullopt;
  }
  if (in.left() != 0) return std::nullopt;
  return report;
}

}  // namespace riffle::core
