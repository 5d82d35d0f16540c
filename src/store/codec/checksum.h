// CRC32C (Castagnoli), the checksum stored in record batch values.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run
// time; inputs of 12 KiB and more as three interleaved lanes: 7 -> 12 GB/s
// here) and a table-driven fallback otherwise; both give identical results.
// Debian's librocksdb is a portable build whose own crc32c runs in software
// (about 1.4 GB/s here), too slow for 10 MiB GetRecords responses, hence this.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace riffle::store::codec {

// CRC32C of `data` continued from `crc` (the CRC of the bytes before it;
// 0 for the first chunk). Extend(Extend(0, a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

// The portable implementation, exposed for tests.
uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data);

}  // namespace riffle::store::codec
