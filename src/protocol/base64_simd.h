// Vector kernels behind base64.h: the bulk of an encode or decode runs 24
// bytes (32 characters) per step with AVX2 when the CPU has it; base64.cc
// finishes the tail and the padding with its scalar tables.
//
// Each kernel handles a whole number of 24-byte (32-character) blocks and
// returns how many input bytes it consumed, so the caller continues from
// there. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace riffle::protocol::base64_simd {

// True when the running CPU supports the vector kernels (checked once).
bool Available();

// Encodes blocks of 24 bytes of `src[0, n)` to `dst` (32 characters each).
// Reads at most n bytes. Returns the number of bytes encoded (a multiple of
// 24). REQUIRES: Available().
size_t EncodeBlocks(const uint8_t* src, size_t n, char* dst);

// Decodes blocks of 32 characters of `src[0, n)` to `dst` (24 bytes each),
// writing at most `dst_capacity` bytes. Stops before the first block that
// holds a character outside the alphabet ('=' included), leaving it to the
// caller. Returns the number of characters decoded (a multiple of 32).
// REQUIRES: Available().
size_t DecodeBlocks(const char* src, size_t n, uint8_t* dst, size_t dst_capacity);

}  // namespace riffle::protocol::base64_simd
