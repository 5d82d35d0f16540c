#include "protocol/base64_simd.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RIFFLE_BASE64_AVX2 1
#include <immintrin.h>
#endif

namespace riffle::protocol::base64_simd {

#ifdef RIFFLE_BASE64_AVX2

bool Available() {
  static const bool available = __builtin_cpu_supports("avx2");
  return available;
}

// Encoding: each 128-bit lane takes 12 input bytes; a byte shuffle spreads
// every 3-byte group over one 32-bit word, two multiplies move the four
// 6-bit indices into separate bytes, and a 16-entry table maps index ranges
// (A-Z, a-z, 0-9, +, /) to the offset added to reach the ASCII character.
__attribute__((target("avx2"))) size_t EncodeBlocks(const uint8_t* src, size_t n, char* dst) {
  const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                          1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  const __m256i offsets = _mm256_setr_epi8(
      'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
      '+' - 62, '/' - 63, 'A', 0, 0,  //
      'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
      '+' - 62, '/' - 63, 'A', 0, 0);
  size_t i = 0;
  // Each step reads 16 bytes at i and at i + 12, so stop 28 bytes short.
  for (; i + 28 <= n; i += 24, dst += 32) {
    __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 12));
    __m256i in = _mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), spread);
    __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0fc0fc00));
    __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003f03f0));
    __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    __m256i indices = _mm256_or_si256(t1, t3);
    // 0..25 -> 13, 26..51 -> 0, 52..61 -> 1..10, 62 -> 11, 63 -> 12.
    __m256i range = _mm256_subs_epu8(indices, _mm256_set1_epi8(51));
    __m256i upper = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), indices);
    range = _mm256_or_si256(range, _mm256_and_si256(upper, _mm256_set1_epi8(13)));
    __m256i chars = _mm256_add_epi8(_mm256_shuffle_epi8(offsets, range), indices);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), chars);
  }
  return i;
}

// Decoding: two 16-entry tables indexed by the low and the high nibble of
// each character share a bit exactly when the character is outside the
// alphabet; a third (by high nibble, '/' set apart) gives the offset from
// ASCII to the 6-bit value. Two multiply-adds pack four values into 24 bits
// and shuffles squeeze out the gaps.
__attribute__((target("avx2"))) size_t DecodeBlocks(const char* src, size_t n, uint8_t* dst,
                                                    size_t dst_capacity) {
  const __m256i lut_lo = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A,
                                          0x1B, 0x1B, 0x1B, 0x1A,  //
                                          0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A,
                                          0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i lut_hi = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
                                          0x10, 0x10, 0x10, 0x10,  //
                                          0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
                                          0x10, 0x10, 0x10, 0x10);
  const __m256i lut_roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                            0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  const __m256i squeeze = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                           2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
  size_t i = 0;
  size_t written = 0;
  // Each step stores 32 bytes of which 24 are output.
  for (; i + 32 <= n && written + 32 <= dst_capacity; i += 32, written += 24) {
    __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(in, 4), nibble);
    __m256i lo_nibbles = _mm256_and_si256(in, nibble);
    __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
    __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
    if (!_mm256_testz_si256(lo, hi)) break;  // a character outside the alphabet
    __m256i is_slash = _mm256_cmpeq_epi8(in, _mm256_set1_epi8('/'));
    __m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(is_slash, hi_nibbles));
    __m256i values = _mm256_add_epi8(in, roll);
    __m256i pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
    __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    __m256i packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(words, squeeze), join);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + written), packed);
  }
  return i;
}

#else

bool Available() { return false; }
size_t EncodeBlocks(const uint8_t*, size_t, char*) { return 0; }
size_t DecodeBlocks(const char*, size_t, uint8_t*, size_t) { return 0; }

#endif

}  // namespace riffle::protocol::base64_simd
