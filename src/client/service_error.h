// ServiceError: the Error of a non-2xx answer, read as the AWS SDKs read
// awsJson errors: "__type" and "message" (or "Message") of the JSON body,
// else the x-amzn-ErrorType header; a namespace prefix or ":..." suffix of
// the type is dropped (ErrorCodeFromType). Internal to libriffle-kinesis.
#pragma once

#include <string>
#include <string_view>

#include "riffle/kinesis/error.h"

namespace riffle::kinesis::internal {

Error ServiceError(int http_status, std::string_view body, std::string_view error_type_header,
                   std::string request_id);

}  // namespace riffle::kinesis::internal
