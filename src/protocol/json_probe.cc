#include "protocol/json_probe.h"

#include <simdjson.h>

namespace riffle::protocol {

bool IsJsonObject(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return false;
  return root.type() == simdjson::dom::element_type::OBJECT;
}

}  // namespace riffle::protocol
