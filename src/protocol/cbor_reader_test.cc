#include "protocol/cbor_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace riffle::protocol {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(CborReader, ReadsHeadsOfEveryMajorType) {
  std::string data = Unhex("17" "1818" "1903e8" "1a000f4240" "1b000000e8d4a51000" "3863" "43" "63" "84" "a2" "c1" "f5");
  CborReader r(data);
  CborHead h;
  const struct {
    int major;
    uint64_t argument;
  } expected[] = {{0, 23}, {0, 24}, {0, 1000}, {0, 1000000}, {0, 1000000000000}, {1, 99},
                  {2, 3},  {3, 3},  {4, 4},    {5, 2},       {6, 1},             {7, 21}};
  for (const auto& e : expected) {
    ASSERT_TRUE(r.ReadHead(&h)) << r.error();
    EXPECT_EQ(h.major, e.major);
    EXPECT_EQ(h.argument, e.argument);
    EXPECT_FALSE(h.indefinite);
  }
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.ReadHead(&h));
}

TEST(CborReader, IndefiniteLengthsAndBreak) {
  std::string data = Unhex("5f" "9f" "bf" "7f" "ff");
  CborReader r(data);
  CborHead h;
  for (int major : {2, 4, 5, 3}) {
    ASSERT_TRUE(r.ReadHead(&h));
    EXPECT_EQ(h.major, major);
    EXPECT_TRUE(h.indefinite);
  }
  ASSERT_TRUE(r.ReadHead(&h));
  EXPECT_TRUE(h.is_break);
}

TEST(CborReader, RejectsReservedAdditionalInformation) {
  for (const char* hex : {"1c", "1d", "1e", "1f", "3f", "df", "fc"}) {
    std::string data = Unhex(hex);
    CborReader r(data);
    CborHead h;
    EXPECT_FALSE(r.ReadHead(&h)) << hex;
    EXPECT_FALSE(r.error().empty());
  }
}

TEST(CborReader, TruncatedArgumentsFail) {
  for (const char* hex : {"18", "19ff", "1a0000", "1b00000000000000"}) {
    std::string data = Unhex(hex);
    CborReader r(data);
    CborHead h;
    EXPECT_FALSE(r.ReadHead(&h)) << hex;
  }
}

TEST(CborReader, StringsDefiniteAndChunked) {
  std::string data = Unhex("6449455446" "7f657374726561646d696e67ff" "5f42010243030405ff");
  CborReader r(data);
  CborHead h;
  std::string s;
  ASSERT_TRUE(r.ReadHead(&h));
  ASSERT_TRUE(r.ReadString(h, &s));
  EXPECT_EQ(s, "IETF");
  ASSERT_TRUE(r.ReadHead(&h));
  ASSERT_TRUE(r.ReadString(h, &s));
  EXPECT_EQ(s, "streaming");
  ASSERT_TRUE(r.ReadHead(&h));
  ASSERT_TRUE(r.ReadString(h, &s));
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05", 5));
  EXPECT_TRUE(r.at_end());
}

TEST(CborReader, StringLongerThanTheBodyFailsWithoutAllocating) {
  std::string data = Unhex("5bffffffffffffffff00");
  CborReader r(data);
  CborHead h;
  std::string s;
  ASSERT_TRUE(r.ReadHead(&h));
  EXPECT_FALSE(r.ReadString(h, &s));
  EXPECT_TRUE(s.empty());
}

TEST(CborReader, ChunkOfAnotherTypeFails) {
  std::string data = Unhex("5f6161ff");
  CborReader r(data);
  CborHead h;
  std::string s;
  ASSERT_TRUE(r.ReadHead(&h));
  EXPECT_FALSE(r.ReadString(h, &s));
}

TEST(CborReader, Floats) {
  // RFC 8949 Appendix A half-precision examples.
  EXPECT_EQ(HalfToDouble(0x0000), 0.0);
  EXPECT_TRUE(std::signbit(HalfToDouble(0x8000)));
  EXPECT_EQ(HalfToDouble(0x3c00), 1.0);
  EXPECT_EQ(HalfToDouble(0x3e00), 1.5);
  EXPECT_EQ(HalfToDouble(0x7bff), 65504.0);
  EXPECT_EQ(HalfToDouble(0x0001), 5.960464477539063e-8);
  EXPECT_EQ(HalfToDouble(0x0400), 0.00006103515625);
  EXPECT_EQ(HalfToDouble(0xc400), -4.0);
  EXPECT_TRUE(std::isinf(HalfToDouble(0x7c00)));
  EXPECT_TRUE(std::isnan(HalfToDouble(0x7e00)));
  EXPECT_EQ(FloatBitsToDouble(0x47c35000), 100000.0);
  EXPECT_EQ(DoubleBitsToDouble(0x3ff199999999999aULL), 1.1);
}

}  // namespace
}  // namespace riffle::protocol
