// Cheap structural check of a request body, for the checks the API makes
// before it knows which operation is asked for.
#pragma once

#include <string_view>

namespace riffle::protocol {

// True if `body` is a syntactically valid JSON document whose root is an
// object.
bool IsJsonObject(std::string_view body);

}  // namespace riffle::protocol
