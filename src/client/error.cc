// Error: construction and the retry classification of the AWS SDKs'
// standard retry mode (botocore 1.43 botocore/retries/standard.py:
// ThrottledRetryableChecker, TransientRetryableChecker).
#include <string_view>

#include "riffle/kinesis/error.h"

namespace riffle::kinesis {

namespace {

// Throttling type strings without an ErrorCode of their own.
bool IsOtherThrottlingType(std::string_view type) {
  return type == "TransactionInProgressException" || type == "PriorRequestNotComplete" ||
         type == "EC2ThrottledException";
}

}  // namespace

Error Error::FromService(int http_status, std::string type, std::string message, std::string request_id) {
  Error e;
  e.code_ = ErrorCodeFromType(type);
  e.type_ = std::move(type);
  e.message_ = std::move(message);
  e.http_status_ = http_status;
  e.request_id_ = std::move(request_id);
  return e;
}

Error::Error(ErrorCode code, std::string message)
    : code_(code), type_(ErrorCodeName(code)), message_(std::move(message)) {}

bool Error::IsThrottling() const {
  return code_ == ErrorCode::kProvisionedThroughputExceeded || code_ == ErrorCode::kLimitExceeded ||
         code_ == ErrorCode::kThrottling || IsOtherThrottlingType(type_);
}

bool Error::IsRetryable() const {
  if (IsThrottling()) return true;
  if (http_status_ == 500 || http_status_ == 502 || http_status_ == 503 || http_status_ == 504) return true;
  if (code_ == ErrorCode::kRequestTimeout || type_ == "PriorRequestNotComplete") return true;
  return http_status_ == 0 && (code_ == ErrorCode::kNetworkError || code_ == ErrorCode::kTimeout);
}

std::string Error::ToString() const {
  std::string out = type_.empty() ? std::string(ErrorCodeName(code_)) : type_;
  if (!message_.empty()) out += ": " + message_;
  if (http_status_ != 0 || !request_id_.empty()) {
    out += " (";
    if (http_status_ != 0) out += "HTTP " + std::to_string(http_status_);
    if (!request_id_.empty()) out += std::string(http_status_ != 0 ? ", " : "") + "request id " + request_id_;
    out += ")";
  }
  return out;
}

}  // namespace riffle::kinesis
