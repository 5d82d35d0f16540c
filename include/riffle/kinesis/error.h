// Error and Result<T>: how every call of libriffle-kinesis reports failure.
//
// An Error carries what the service answered, unchanged: its type
// ("ResourceNotFoundException", from the body's "__type") and message, the
// HTTP status and request id; code() is the same as a value to switch on
// (riffle/kinesis/error_code.h). Failures without an answer (connect, TLS,
// timeout, a malformed response, bad configuration) get the library's own
// codes, with http_status() 0.
//
//   riffle::kinesis::Result<riffle::kinesis::DescribeStreamSummaryOutput> r =
//       client->DescribeStreamSummary({.StreamName = "orders"});
//   if (!r.ok()) {
//     if (r.error().code() == riffle::kinesis::ErrorCode::kResourceNotFound) ...
//     std::cerr << r.error().ToString() << "\n";
//   }
//
// Plain value types: thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <variant>

#include "riffle/kinesis/error_code.h"
#include "riffle/kinesis/export.h"

namespace riffle::kinesis {

class RIFFLE_KINESIS_EXPORT Error {
 public:
  // An answer of the service: `type` as sent ("__type"), code derived from it.
  static Error FromService(int http_status, std::string type, std::string message, std::string request_id = {});
  // One of the library's own failures (or a service code, for tests and
  // callers that synthesise errors); type() is ErrorCodeName(code).
  Error(ErrorCode code, std::string message);

  ErrorCode code() const { return code_; }
  const std::string& type() const { return type_; }
  const std::string& message() const { return message_; }
  int http_status() const { return http_status_; }       // 0 without an answer
  const std::string& request_id() const { return request_id_; }  // x-amzn-RequestId, if any

  // Throttling as the AWS SDKs' standard retry mode counts it
  // (ProvisionedThroughputExceeded, LimitExceeded, Throttling, ...).
  bool IsThrottling() const;
  // Worth retrying as the standard retry mode does: throttling, HTTP 500,
  // 502, 503, 504, RequestTimeout, and failures without an answer other
  // than TLS, configuration and invalid-request errors.
  bool IsRetryable() const;

  // "ResourceNotFoundException: Stream x under account ... not found. (HTTP 400, request id ...)"
  std::string ToString() const;

 private:
  Error() = default;
  ErrorCode code_ = ErrorCode::kUnknown;
  std::string type_;
  std::string message_;
  int http_status_ = 0;
  std::string request_id_;
};

// Either a T or an Error. Implicit from both, so `return value;` and
// `return error;` both work.
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return data_.index() == 0; }

  // REQUIRES: ok().
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok().
  const Error& error() const& { return std::get<1>(data_); }
  Error&& error() && { return std::get<1>(std::move(data_)); }

 private:
  std::variant<T, Error> data_;
};

// Completion of an asynchronous call: runs once, with the result.
template <typename T>
using Callback = std::function<void(Result<T>)>;

}  // namespace riffle::kinesis
