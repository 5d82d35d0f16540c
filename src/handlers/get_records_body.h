// The GetRecords response body, written straight from a core RecordsPage
// into one pre-sized buffer: each record's payload is base64-encoded in
// place, with no intermediate wire::Record objects. The bytes equal what
// protocol::EncodeJson(wire::GetRecordsOutput) writes for the same page
// (get_records_body_test.cc checks this).
#pragma once

#include <string>

#include "core/stream_service.h"

namespace riffle::handlers {

std::string EncodeGetRecordsBody(const core::RecordsPage& page);

}  // namespace riffle::handlers
