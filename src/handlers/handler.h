// The handler contract: what every Kinesis operation handler receives and
// how it answers.
//
// A handler decodes its JSON input, validates it against the model, resolves
// the stream, calls core, maps errors and encodes the output — in that
// order. It replies exactly once through `Reply`, possibly later and from
// another thread (after a durable write). Handlers never see HTTP.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/stream_service.h"
#include "protocol/api_result.h"

namespace riffle::handlers {

// Who is asking, and where: the account and region a request acts in.
struct RequestScope {
  std::string account_id;
  std::string region;
};

class Admission;

struct Context {
  core::StreamService& streams;
  RequestScope scope;
  Admission* admission = nullptr;  // set when limits or faults are on (handlers/admission.h)
};

// The JSON body of a successful response, or the error to render.
using Reply = std::function<void(protocol::ApiResult<std::string>)>;
using HandlerFunction = void (*)(const Context& context, std::string_view body, Reply reply);

struct Handler {
  std::string_view operation;  // e.g. "PutRecords"
  HandlerFunction handle;
};

}  // namespace riffle::handlers
