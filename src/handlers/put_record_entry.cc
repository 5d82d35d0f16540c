#include "handlers/put_record_entry.h"

#include "handlers/handler_support.h"

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

void DryRunPut(core::StreamService& streams, const core::StreamAddress& address, std::vector<core::PutEntry> entries,
               const std::optional<std::string>& sequence_number_for_ordering, Reply reply) {
  streams.PutRecords(
      address, std::move(entries), sequence_number_for_ordering,
      [reply = std::move(reply)](StatusOr<std::vector<core::PutResult>> results) {
        if (!results.ok()) return reply(protocol::ToApiError(results.status()));
        for (const core::PutResult& r : *results) {
          if (!r.error.ok()) return reply(protocol::ToApiError(r.error));
        }
        reply(DryRunError());
      },
      /*dry_run=*/true);
}

}  // namespace riffle::handlers
