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

}  // namespace
}  // namespace riffle::store::codec
