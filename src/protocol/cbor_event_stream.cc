#include "protocol/cbor_event_stream.h"

#include <optional>
#include <utility>

#include "protocol/cbor_transcode.h"
#include "protocol/cbor_writer.h"
#include "protocol/event_stream.h"
#include "protocol/shape_table.h"

namespace riffle::protocol {

ApiResult<std::string> JsonEventToCbor(std::string_view message) {
  EventMessage decoded;
  std::optional<size_t> size = DecodeEventMessage(message, &decoded);
  if (!size || *size != message.size()) return ApiError::InternalFailure("malformed event-stream message");
  const Shape* shape = nullptr;
  if (decoded.Header(":message-type") == "event") shape = FindEventShape(decoded.Header(":event-type"));
  ApiResult<std::string> payload = JsonResponseToCbor(decoded.payload, shape);
  if (!payload.ok()) return payload.error();
  for (auto& [name, value] : decoded.headers) {
    if (name == ":content-type") value = kCborContentType;
  }
  return EncodeEventMessage(decoded.headers, payload.value());
}

CborEventStream::CborEventStream(std::shared_ptr<BodyStream> json) : json_(std::move(json)) {}

void CborEventStream::Start(std::function<void()> wake) { json_->Start(std::move(wake)); }

void CborEventStream::Cancel() { json_->Cancel(); }

bool CborEventStream::Convert(std::string& out) {
  std::string_view rest = pending_;
  while (!rest.empty()) {
    EventMessage message;
    std::optional<size_t> size = DecodeEventMessage(rest, &message);
    if (size && *size == 0) break;  // incomplete: wait for the rest
    ApiResult<std::string> cbor = size ? JsonEventToCbor(rest.substr(0, *size))
                                       : ApiResult<std::string>(ApiError::InternalFailure("malformed event"));
    if (!cbor.ok()) {
      const ApiError& error = cbor.error();
      CborWriter payload;
      payload.BeginMap();
      payload.Text("message");
      payload.Text(error.message);
      payload.End();
      out += EncodeEventMessage(
          {{":exception-type", error.type}, {":content-type", kCborContentType}, {":message-type", "exception"}},
          payload.str());
      pending_.clear();
      return false;
    }
    out += cbor.value();
    rest.remove_prefix(*size);
  }
  pending_.erase(0, pending_.size() - rest.size());
  return true;
}

CborEventStream::PullResult CborEventStream::Pull(std::string& out) {
  if (ended_) return {State::kEnd};
  const size_t start = out.size();
  for (;;) {
    PullResult result = json_->Pull(pending_);
    if (!Convert(out)) result = {State::kEnd};
    if (result.state == State::kEnd) {
      ended_ = true;
      json_->Cancel();
      return result;
    }
    // kData with only part of a message converted: pull the rest rather
    // than hand the transport an empty piece.
    if (result.state == State::kWait || out.size() > start) return result;
  }
}

}  // namespace riffle::protocol
