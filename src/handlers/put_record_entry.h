// Turning one wire record (PutRecord or a PutRecords entry) into a core
// PutEntry, with the per-record checks Kinesis makes beyond the model
// (the record size limit is the stream's, checked in core).
#pragma once

#include <optional>
#include <string>

#include "core/stream_service.h"
#include "handlers/handler.h"
#include "protocol/api_error.h"

namespace riffle::handlers {

// On success fills `entry` (moving data and key out of the arguments);
// otherwise returns the error to answer.
std::optional<protocol::ApiError> MakePutEntry(const core::StreamAddress& address, std::string& data,
                                               std::string& partition_key,
                                               const std::optional<std::string>& explicit_hash_key,
                                               core::PutEntry& entry);

// DryRun of PutRecord/PutRecords: every check of the call, nothing stored;
// replies the call's error, or DryRunOperationException when it would have
// succeeded.
void DryRunPut(core::StreamService& streams, const core::StreamAddress& address, std::vector<core::PutEntry> entries,
               const std::optional<std::string>& sequence_number_for_ordering, Reply reply);

}  // namespace riffle::handlers
