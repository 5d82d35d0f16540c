// Status and StatusOr: the error vocabulary shared by core and store.
//
// A Status is either OK or carries a domain error code (Errc) and a message
// written the way the Kinesis API words it (the message travels unchanged to
// the client; the code is mapped to an AWS error type in exactly one place,
// protocol/error_mapping.cc). Thread-compatible value types.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace riffle {

// Domain error codes. Not persisted; may be extended freely, but every new
// value must be added to the mapping switch (compiled with -Werror=switch).
enum class Errc {
  kOk,
  kInvalidArgument,       // request is well-formed but semantically invalid
  kValidation,            // the request conflicts with the resource's mode (ValidationException)
  kResourceNotFound,      // stream, shard or consumer does not exist
  kResourceInUse,         // resource exists but is not in a usable state
  kLimitExceeded,         // an account or stream limit would be exceeded
  kExpiredIterator,       // shard iterator older than its lifetime
  kExpiredNextToken,      // pagination token older than its lifetime
  kThroughputExceeded,    // per-shard throughput limit
  kStorageError,          // the store failed (I/O, disk full, corruption)
  kUnavailable,           // the store cannot take the request now (a cluster without quorum); retryable
  kConflict,              // store: a compare-and-set write found another revision (core retries)
  kSealed,                // store: the shard's log is sealed (core routes to its children)
  kInternal,              // a bug: an invariant did not hold
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Errc::kInvalidArgument, std::move(m)}; }
  static Status Validation(std::string m) { return {Errc::kValidation, std::move(m)}; }
  static Status NotFound(std::string m) { return {Errc::kResourceNotFound, std::move(m)}; }
  static Status InUse(std::string m) { return {Errc::kResourceInUse, std::move(m)}; }
  static Status LimitExceeded(std::string m) { return {Errc::kLimitExceeded, std::move(m)}; }
  static Status ExpiredIterator(std::string m) { return {Errc::kExpiredIterator, std::move(m)}; }
  static Status StorageError(std::string m) { return {Errc::kStorageError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Errc::kUnavailable, std::move(m)}; }
  static Status Conflict(std::string m) { return {Errc::kConflict, std::move(m)}; }
  static Status Sealed(std::string m) { return {Errc::kSealed, std::move(m)}; }
  static Status Internal(std::string m) { return {Errc::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Errc::kOk; }
  Errc code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Errc code_ = Errc::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}             // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {      // NOLINT: implicit by design
    assert(!status_.ok());
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace riffle

// Early-return helpers.
#define RIFFLE_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::riffle::Status riffle_status_ = (expr); \
    if (!riffle_status_.ok()) return riffle_status_; \
  } while (0)

// `lhs` = the value of a StatusOr expression, or return its status.
// `lhs` may declare a variable: RIFFLE_ASSIGN_OR_RETURN(Foo foo, MakeFoo());
#define RIFFLE_STATUS_CONCAT_INNER(a, b) a##b
#define RIFFLE_STATUS_CONCAT(a, b) RIFFLE_STATUS_CONCAT_INNER(a, b)
#define RIFFLE_ASSIGN_OR_RETURN(lhs, expr) \
  RIFFLE_ASSIGN_OR_RETURN_IMPL(RIFFLE_STATUS_CONCAT(riffle_statusor_, __LINE__), lhs, expr)
#define RIFFLE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
