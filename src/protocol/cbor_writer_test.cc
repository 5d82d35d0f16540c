#include "protocol/cbor_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "protocol/error_render.h"

namespace riffle::protocol {
namespace {

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string IntHex(int64_t v) {
  CborWriter w;
  w.Int(v);
  return Hex(w.Take());
}

TEST(CborWriter, IntegersUseTheShortestHead) {
  // RFC 8949 Appendix A examples.
  EXPECT_EQ(IntHex(0), "00");
  EXPECT_EQ(IntHex(23), "17");
  EXPECT_EQ(IntHex(24), "1818");
  EXPECT_EQ(IntHex(100), "1864");
  EXPECT_EQ(IntHex(1000), "1903e8");
  EXPECT_EQ(IntHex(1000000), "1a000f4240");
  EXPECT_EQ(IntHex(1000000000000), "1b000000e8d4a51000");
  EXPECT_EQ(IntHex(-1), "20");
  EXPECT_EQ(IntHex(-10), "29");
  EXPECT_EQ(IntHex(-100), "3863");
  EXPECT_EQ(IntHex(-1000), "3903e7");
  EXPECT_EQ(IntHex(std::numeric_limits<int64_t>::min()), "3b7fffffffffffffff");
  CborWriter w;
  w.Uint(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Hex(w.Take()), "1bffffffffffffffff");
}

TEST(CborWriter, StringsSimpleValuesAndFloats) {
  CborWriter w;
  w.Text("");
  w.Text("a");
  w.Text("\xc3\xbc");
  w.Bytes(std::string("\x01\x02\x03\x04", 4));
  w.Bool(false);
  w.Bool(true);
  w.Null();
  w.Double(1.1);
  EXPECT_EQ(Hex(w.Take()), "60616162c3bc4401020304f4f5f6fb3ff199999999999a");
}

TEST(CborWriter, ContainersAreIndefiniteLength) {
  CborWriter w;
  w.BeginMap();
  w.Text("a");
  w.BeginArray();
  w.Int(1);
  w.End();
  w.End();
  EXPECT_EQ(Hex(w.Take()), "bf61619f01ffff");
}

TEST(CborWriter, TimestampsAreTagOneAndEpochMillis) {
  CborWriter w;
  w.TimestampMillis(1700000000123);
  EXPECT_EQ(Hex(w.Take()), "c11b0000018bcfe5687b");
}

TEST(CborWriter, LongTextUsesWideLengths) {
  CborWriter w;
  w.Text(std::string(300, 'x'));
  std::string out = w.Take();
  EXPECT_EQ(Hex(out.substr(0, 3)), "79012c");
  EXPECT_EQ(out.size(), 303u);
}

TEST(CborErrorRender, TypeAndMessageKeys) {
  EXPECT_EQ(RenderErrorCbor({400, "SerializationException", ""}),
            std::string("\xbf\x66__type\x76SerializationException\xff"));
  EXPECT_EQ(RenderErrorCbor({400, "ResourceNotFoundException", "x"}),
            std::string("\xbf\x66__type\x78\x19ResourceNotFoundException\x67message\x61x\xff"));
  EXPECT_EQ(RenderErrorCbor({400, "SerializationException", "y"}),
            std::string("\xbf\x66__type\x76SerializationException\x67Message\x61y\xff"));
}

}  // namespace
}  // namespace riffle::protocol
