#include "handlers/put_record_entry.h"

namespace riffle::handlers {

std::optional<protocol::ApiError> MakePutEntry(const core::StreamAddress& /*address*/, std::string& data,
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
  entry.data = std::move(data);
  entry.partition_key = std::move(partition_key);
  return std::nullopt;
}

}  // namespace riffle::handlers
