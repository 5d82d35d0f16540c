// Sequence-number parsing (core/sequence_number.h): what parses prints back
// to the same text, and the legacy parser never crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/sequence_number.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parsed = riffle::core::SequenceNumber::Parse(text)) {
    if (parsed->ToString() != text) std::abort();
  }
  (void)riffle::core::LegacySequenceNumber::Parse(text);
  return 0;
}
