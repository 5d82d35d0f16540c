// The event stream of a CBOR client (application/x-amz-cbor-1.1): the same
// event-stream framing and message headers as for a JSON client, but every
// payload is CBOR and `:content-type` says so. The AWS SDK for Java v2 (and
// KCL 2.x through it) unmarshals event and exception payloads with the
// client's protocol parser, so a CBOR client cannot read JSON payloads.
// docs/subscribe-to-shard.md, section "CBOR clients".
//
// Handlers produce JSON event streams (EncodeJsonEvent /
// EncodeJsonException); CborEventStream re-encodes them message by message:
// an event's JSON payload is transcoded with the shape of its
// `:event-type` (FindEventShape: blobs become byte strings, timestamps tag 1
// + epoch milliseconds; `initial-response` an empty map), an exception's
// {"message": ...} becomes the CBOR map {"message": ...}.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/api_result.h"
#include "protocol/body_stream.h"

namespace riffle::protocol {

inline constexpr std::string_view kCborContentType = "application/x-amz-cbor-1.1";

// One complete JSON event-stream message re-encoded for a CBOR client.
// Errors (InternalFailure) for a malformed message or payload.
ApiResult<std::string> JsonEventToCbor(std::string_view message);

class CborEventStream final : public BodyStream {
 public:
  explicit CborEventStream(std::shared_ptr<BodyStream> json);

  void Start(std::function<void()> wake) override;
  PullResult Pull(std::string& out) override;
  void Cancel() override;

 private:
  // Re-encodes the complete messages at the front of pending_ into `out`.
  // False (after appending an InternalFailure exception) on a bad message.
  bool Convert(std::string& out);

  std::shared_ptr<BodyStream> json_;
  std::string pending_;  // JSON bytes pulled but not yet re-encoded
  bool ended_ = false;
};

}  // namespace riffle::protocol
