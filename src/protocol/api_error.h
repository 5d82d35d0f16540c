// ApiError: an error as the Kinesis API reports it — HTTP status, AWS error
// type (the `__type` of the body) and message. Rendered in one place
// (protocol/error_render.cc); handlers and validators only construct them.
#pragma once

#include <string>

#include "base/status.h"

namespace riffle::protocol {

struct ApiError {
  int http_status = 400;
  std::string type;     // e.g. "ResourceNotFoundException"
  std::string message;  // e.g. "Stream s under account 000000000000 not found."

  static ApiError Validation(std::string message) {
    return {400, "ValidationException", std::move(message)};
  }
  static ApiError Serialization(std::string message) {
    return {400, "SerializationException", std::move(message)};
  }
  static ApiError InvalidArgument(std::string message) {
    return {400, "InvalidArgumentException", std::move(message)};
  }
  static ApiError UnknownOperation() { return {400, "UnknownOperationException", ""}; }
  static ApiError MissingAuthenticationToken() {
    return {400, "MissingAuthenticationTokenException", "Missing Authentication Token"};
  }
  static ApiError InternalFailure(std::string message) {
    return {500, "InternalFailure", std::move(message)};
  }
};

// Maps a domain Status (REQUIRES: !status.ok()) to the API error. One switch,
// no default: every Errc is mapped explicitly.
ApiError ToApiError(const Status& status);

}  // namespace riffle::protocol
