#include "protocol/request_summary.h"

#include <simdjson.h>

namespace riffle::protocol {
namespace {

// The string member `name` of the JSON object `body`, or "".
std::string StringMember(std::string_view body, std::string_view name) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::object root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return "";
  std::string_view value;
  if (root[name].get(value) != simdjson::SUCCESS) return "";
  return std::string(value);
}

// "arn:aws:kinesis:us-east-1:123:stream/NAME/consumer/C:1" -> "NAME".
std::string StreamOfArn(std::string_view arn) {
  const size_t at = arn.find(":stream/");
  if (at == std::string_view::npos) return "";
  std::string_view rest = arn.substr(at + 8);
  return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace

std::string StreamOfRequest(std::string_view json_body) {
  std::string name = StringMember(json_body, "StreamName");
  if (!name.empty()) return name;
  for (std::string_view member : {"StreamARN", "ConsumerARN", "ResourceARN"}) {
    name = StreamOfArn(StringMember(json_body, member));
    if (!name.empty()) return name;
  }
  return "";
}

std::string ErrorTypeOf(std::string_view json_body) {
  std::string type = StringMember(json_body, "__type");
  const size_t hash = type.rfind('#');
  return hash == std::string::npos ? type : type.substr(hash + 1);
}

}  // namespace riffle::protocol
