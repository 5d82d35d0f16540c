#include "store/rocksdb/log_table.h"

#include <cstring>

#include "store/rocksdb/keys.h"

namespace riffle::store::rocksdb_store {
namespace {

constexpr uint8_t kLogRecordVersion = 1;
constexpr uint8_t kSealedFlag = 1;
constexpr size_t kPrefixSize = sizeof(kLogRecordPrefix) - 1;

}  // namespace

std::string LogRecordKey(ShardKey shard) { return kLogRecordPrefix + ShardPrefix(shard); }

std::optional<ShardKey> DecodeLogRecordKey(std::string_view key) {
  if (key.size() != kPrefixSize + kShardPrefixSize || key.substr(0, kPrefixSize) != kLogRecordPrefix) {
    return std::nullopt;
  }
  const char* p = key.data() + kPrefixSize;
  return ShardKey{DecodeFixed64BE(p), DecodeFixed32BE(p + 8)};
}

std::string EncodeLogRecord(const LogRecord& record) {
  std::string out;
  out.push_back(static_cast<char>(kLogRecordVersion));
  PutFixed64BE(&out, record.first_counter);
  PutFixed64BE(&out, static_cast<uint64_t>(record.created_ms));
  out.push_back(static_cast<char>(record.sealed ? kSealedFlag : 0));
  if (record.sealed) PutFixed64BE(&out, record.sealed_end);
  return out;
}

StatusOr<LogRecord> DecodeLogRecord(std::string_view value) {
  auto corrupt = [] { return Status::StorageError("corrupt log record"); };
  if (value.size() < 18 || static_cast<uint8_t>(value[0]) != kLogRecordVersion) return corrupt();
  LogRecord record;
  record.first_counter = DecodeFixed64BE(value.data() + 1);
  record.created_ms = static_cast<int64_t>(DecodeFixed64BE(value.data() + 9));
  const uint8_t flags = static_cast<uint8_t>(value[17]);
  if ((flags & ~kSealedFlag) != 0) return corrupt();
  record.sealed = (flags & kSealedFlag) != 0;
  if (record.sealed) {
    if (value.size() != 26) return corrupt();
    record.sealed_end = DecodeFixed64BE(value.data() + 18);
  } else if (value.size() != 18) {
    return corrupt();
  }
  return record;
}

std::shared_ptr<LogState> LogTable::Find(ShardKey shard) const {
  std::shared_lock lock(mu_);
  auto it = logs_.find(shard);
  return it == logs_.end() ? nullptr : it->second;
}

std::shared_ptr<LogState> LogTable::FindOrAdd(ShardKey shard, bool* created) {
  {
    std::shared_lock lock(mu_);
    auto it = logs_.find(shard);
    if (it != logs_.end()) {
      *created = false;
      return it->second;
    }
  }
  std::unique_lock lock(mu_);
  auto [it, inserted] = logs_.try_emplace(shard, nullptr);
  if (inserted) it->second = std::make_shared<LogState>(shard);
  *created = inserted;
  return it->second;
}

void LogTable::Remove(ShardKey shard) {
  std::unique_lock lock(mu_);
  logs_.erase(shard);
}

std::vector<std::shared_ptr<LogState>> LogTable::All() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<LogState>> out;
  out.reserve(logs_.size());
  for (const auto& [key, log] : logs_) out.push_back(log);
  return out;
}

}  // namespace riffle::store::rocksdb_store
