// Shard-iterator and sealed-token decoding (core/shard_iterator.h): arbitrary
// tokens are rejected or decode to an iterator that encodes back to the same
// token. The first byte picks iterator (even) or sealed token (odd); with
// bit 1 set the rest is treated as a payload, sealed, altered and opened.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/shard_iterator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const riffle::core::ShardIteratorCodec codec("fuzz-secret-0123456789abcdef");
  uint8_t mode = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode & 2) {
    std::string token = codec.Seal(rest);
    auto opened = codec.Open(token);
    if (!opened || *opened != rest) std::abort();
    if (!token.empty()) {
      token[mode % token.size()] ^= static_cast<char>(1 + (mode >> 2));
      // An altered token opens to something else only if the change kept it
      // the same text after decoding; it never crashes.
      (void)codec.Open(token);
    }
    return 0;
  }
  if (mode & 1) {
    (void)codec.Open(rest);
    return 0;
  }
  if (auto iterator = codec.Decode(rest)) {
    auto again = codec.Decode(codec.Encode(*iterator));
    if (!again || !(*again == *iterator)) std::abort();
  }
  return 0;
}
