#include "protocol/event_stream.h"

#include <gtest/gtest.h>

namespace riffle::protocol {
namespace {

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

TEST(EventStream, Crc32IsIeeeNotCastagnoli) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the IEEE check value (CRC32C gives 0xE3069283)
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("6789", Crc32("12345")), Crc32("123456789"));
}

// The expected bytes were built with Python's zlib.crc32 and struct, and
// decoded back with botocore.eventstream.EventStreamBuffer.
TEST(EventStream, InitialResponseMatchesBotocoreVector) {
  EXPECT_EQ(Hex(EncodeJsonEvent("initial-response", "{}")),
            "00000068000000564e6817240b3a6576656e742d74797065070010696e697469616c2d726573706f6e73650d3a636f6e74656e"
            "742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b7dd591"
            "c62b");
}

TEST(EventStream, ExceptionMatchesBotocoreVector) {
  EXPECT_EQ(Hex(EncodeJsonException("ResourceInUseException", "in use")),
            "0000008800000064ae6b817b0f3a657863657074696f6e2d747970650700165265736f75726365496e557365457863657074"
            "696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065"
            "070009657863657074696f6e7b226d657373616765223a22696e20757365227dfe89247f");
}

TEST(EventStream, LengthsCoverHeadersAndPayload) {
  std::string m = EncodeEventMessage({{"a", "bc"}}, "xyz");
  ASSERT_EQ(m.size(), 12u + (1 + 1 + 1 + 2 + 2) + 3 + 4);
  EXPECT_EQ(static_cast<unsigned char>(m[3]), m.size());
  EXPECT_EQ(static_cast<unsigned char>(m[7]), 7u);
  EXPECT_EQ(m.substr(m.size() - 7, 3), "xyz");
}

}  // namespace
}  // namespace riffle::protocol
