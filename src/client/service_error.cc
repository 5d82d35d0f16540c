#include "client/service_error.h"

#include "protocol/json_decode_util.h"

namespace riffle::kinesis::internal {

namespace json_internal = ::riffle::protocol::json_internal;

namespace {

std::string StringMember(json_internal::Element object, const char* key) {
  std::string_view out;
  if (object[key].get(out)) return {};
  return std::string(out);
}

}  // namespace

Error ServiceError(int http_status, std::string_view body, std::string_view error_type_header,
                   std::string request_id) {
  std::string type, message;
  bool json = false;
  json_internal::Element root = json_internal::ParseBody(body, &json);
  if (json) {
    type = StringMember(root, "__type");
    message = StringMember(root, "message");
    if (message.empty()) message = StringMember(root, "Message");
  }
  if (type.empty()) type = std::string(error_type_header);
  if (size_t colon = type.find(':'); colon != std::string::npos) type.resize(colon);
  if (!json && message.empty()) {
    message = "HTTP " + std::to_string(http_status);
    if (!body.empty()) message += ": " + std::string(body.substr(0, 200));
  }
  return Error::FromService(http_status, std::move(type), std::move(message), std::move(request_id));
}

}  // namespace riffle::kinesis::internal
