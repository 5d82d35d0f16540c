#include "store/codec/checksum.h"

#include <gtest/gtest.h>

#include <string>

namespace riffle::store::codec {
namespace {

TEST(ChecksumTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32cExtendPortable(0, "123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);  // RFC 3720 B.4
}

TEST(ChecksumTest, HardwareMatchesPortableAndExtends) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7919));
  for (size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 1000u}) {
    std::string_view v(data.data(), len);
    EXPECT_EQ(Crc32c(v), Crc32cExtendPortable(0, v)) << len;
  }
  std::string_view all = data;
  EXPECT_EQ(Crc32cExtend(Crc32c(all.substr(0, 333)), all.substr(333)), Crc32c(all));
}

TEST(ChecksumTest, LongInputsMatchPortableAtEverySplit) {
  // Above three lanes of 4 KiB the hardware path runs lanes side by side.
  std::string data;
  uint32_t x = 12345;
  for (int i = 0; i < 40000; ++i) {
    x = x * 1103515245u + 12345u;
    data.push_back(static_cast<char>(x >> 16));
  }
  for (size_t len : {12287u, 12288u, 12289u, 24576u, 24583u, 40000u}) {
    std::string_view v(data.data(), len);
    EXPECT_EQ(Crc32c(v), Crc32cExtendPortable(0, v)) << len;
  }
  std::string_view all = data;
  for (size_t cut : {1u, 4096u, 12288u, 20001u}) {
    EXPECT_EQ(Crc32cExtend(Crc32c(all.substr(0, cut)), all.substr(cut)), Crc32c(all)) << cut;
  }
  EXPECT_EQ(Crc32c(std::string(3 * 4096, '\0')), Crc32cExtendPortable(0, std::string(3 * 4096, '\0')));
}

}  // namespace
}  // namespace riffle::store::codec
