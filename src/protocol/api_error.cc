#include "protocol/api_error.h"

namespace riffle::protocol {

ApiError ToApiError(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case Errc::kInvalidArgument:
      return {400, "InvalidArgumentException", m};
    case Errc::kValidation:
      return {400, "ValidationException", m};
    case Errc::kResourceNotFound:
      return {400, "ResourceNotFoundException", m};
    case Errc::kResourceInUse:
      return {400, "ResourceInUseException", m};
    case Errc::kLimitExceeded:
      return {400, "LimitExceededException", m};
    case Errc::kExpiredIterator:
      return {400, "ExpiredIteratorException", m};
    case Errc::kExpiredNextToken:
      return {400, "ExpiredNextTokenException", m};
    case Errc::kThroughputExceeded:
      return {400, "ProvisionedThroughputExceededException", m};
    case Errc::kStorageError:
      return {500, "InternalFailure", m};
    case Errc::kInternal:
      return {500, "InternalFailure", m};
    // AWS answers 503 ServiceUnavailable when it cannot take a request for a
    // while; the SDKs retry it.
    case Errc::kUnavailable:
      return {503, "ServiceUnavailable", m};
    // Core resolves these itself; one that escapes is a bug.
    case Errc::kConflict:
    case Errc::kSealed:
      return {500, "InternalFailure", m};
    case Errc::kOk:
      return {500, "InternalFailure", "no error"};
  }
  return {500, "InternalFailure", m};
}

}  // namespace riffle::protocol
