// ApiResult<T>: the outcome of a protocol step (decode, handler call) that
// either produced a T or failed with the ApiError to send to the client.
#pragma once

#include <utility>
#include <variant>

#include "protocol/api_error.h"

namespace riffle::protocol {

template <typename T>
class ApiResult {
 public:
  // Implicit on purpose: `return value;` and `return ApiError::...;` both work.
  ApiResult(T value) : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  ApiResult(ApiError error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return data_.index() == 0; }

  // REQUIRES: ok().
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }

  // REQUIRES: !ok().
  const ApiError& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, ApiError> data_;
};

}  // namespace riffle::protocol
