// The handler contract: what every Kinesis operation handler receives and
// how it answers.
//
// A handler decodes its JSON input, validates it against the model, resolves
// the stream, calls core, maps errors and encodes the output — in that
// order. It replies exactly once through `Reply`, possibly later and from
// another thread (after a durable write). Handlers never see HTTP.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/channel_service.h"
#include "core/stream_service.h"
#include "protocol/api_result.h"
#include "protocol/body_stream.h"

namespace riffle::handlers {

// Who is asking, and where: the account and region a request acts in.
struct RequestScope {
  std::string account_id;
  std::string region;
};

// A successful answer that is produced over time (SubscribeToShard's event
// stream): the body and its content type. A handler that streams calls this
// instead of replying success through `Reply` (errors found before the
// stream began still go through `Reply`).
using StreamReply = std::function<void(std::shared_ptr<protocol::BodyStream> body, std::string content_type)>;

class Admission;
class Authorizer;
struct Caller;
class TrafficMeter;

struct Context {
  core::StreamService& streams;
  RequestScope scope;
  StreamReply stream_reply;         // empty where the transport cannot stream
  Admission* admission = nullptr;  // set when limits or faults are on (handlers/admission.h)
  // Set when credentials are configured (--credentials): the verified caller
  // and the checker of its permissions (handlers/authorizer.h). Handlers
  // authorize through handler_support.h's Resolve* and Authorize*.
  std::shared_ptr<const Caller> caller;
  Authorizer* authorizer = nullptr;
  std::string_view operation;     // e.g. "PutRecord"
  bool secure_transport = false;  // the request came over TLS
  TrafficMeter* traffic = nullptr;  // counts records in and out when set (handlers/traffic_meter.h)
  core::ChannelService* channels = nullptr;  // the channel operations (core/channel_service.h)
};

// The JSON body of a successful response, or the error to render.
using Reply = std::function<void(protocol::ApiResult<std::string>)>;
using HandlerFunction = void (*)(const Context& context, std::string_view body, Reply reply);

// Where a handler runs. Data-plane handlers never block and run on the I/O
// thread that read the request; control-plane handlers may block on the store
// (core's control calls do) and run on the router's control threads.
enum class Runs : uint8_t { kControl, kInline };

struct Handler {
  std::string_view operation;  // e.g. "PutRecords"
  HandlerFunction handle;
  Runs runs = Runs::kControl;
};

}  // namespace riffle::handlers
