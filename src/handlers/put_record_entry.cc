#include "handlers/put_record_entry.h"

namespace riffle::handlers {

std::optional<protocol::ApiError> MakePutEntry(const core::StreamAddress& address, std::string& data,
                                               std::string& partition_key,
                                               const std::optional<std::string>& explicit_hash_key,
                                               core::PutEntry& entry) {
  if (explicit_hash_key) {
    auto key = core::HashKey::FromDecimal(*explicit_hash_key);
    if (!key) {
      return protocol::ApiError::InvalidArgument(
          "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " +
          *explicit_hash_key);
    }
    entry.explicit_hash_key = *key;
  }
  if (data.size() + partition_key.size() > kMaxRecordBytes) {
    return protocol::ApiError::InvalidArgument("Record size exceeds the maximum record size of 1024 KiB for stream " +
                                               address.name + " under account " + address.account_id + ".");
  }
  entry.data = std::move(data);
  entry.partition_key = std::move(partition_key);
  return std::nullopt;
}

}  // namespace riffle::handlers
