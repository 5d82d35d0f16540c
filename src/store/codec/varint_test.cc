#include "store/codec/varint.h"

#include <gtest/gtest.h>

namespace riffle::store::codec {
namespace {

TEST(VarintTest, RoundTripsAndRejectsBadInput) {
  for (uint32_t v : {0u, 1u, 127u, 128u, 300u, 16383u, 16384u, 0xFFFFFFFFu}) {
    std::string s;
    PutVarint32(&s, v);
    EXPECT_EQ(s.size(), Varint32Size(v));
    std::string_view in = s;
    uint32_t out = 0;
    ASSERT_TRUE(GetVarint32(&in, &out));
    EXPECT_EQ(out, v);
    EXPECT_TRUE(in.empty());
  }
  std::string_view truncated("\x80", 1);
  uint32_t v = 0;
  EXPECT_FALSE(GetVarint32(&truncated, &v));
  std::string_view too_big("\xFF\xFF\xFF\xFF\x1F", 5);
  EXPECT_FALSE(GetVarint32(&too_big, &v));
}

}  // namespace
}  // namespace riffle::store::codec
