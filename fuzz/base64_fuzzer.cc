// Base64 decoding of blob members (protocol/base64.h): a decoded value
// re-encodes to the same text, and text that is rejected has a reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = riffle::protocol::Base64Decode(text);
  std::string detail = riffle::protocol::Base64DecodeErrorDetail(text);
  if (decoded) {
    if (riffle::protocol::Base64Encode(*decoded) != text) std::abort();
    if (!detail.empty()) std::abort();
  } else if (detail.empty()) {
    std::abort();
  }
  // The encoder on arbitrary bytes round-trips.
  auto round = riffle::protocol::Base64Decode(riffle::protocol::Base64Encode(text));
  if (!round || *round != text) std::abort();
  return 0;
}
