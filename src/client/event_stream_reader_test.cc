#include "client/event_stream_reader.h"

#include <gtest/gtest.h>

#include "protocol/event_stream.h"

namespace riffle::kinesis::internal {
namespace {

// Bitwise CRC32 (IEEE, reflected), written here independently of
// protocol::Crc32 so that hand-built messages do not share its table.
uint32_t BitwiseCrc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

// A message assembled byte by byte: `headers` is the already-encoded header block.
std::string HandBuilt(std::string_view headers, std::string_view payload) {
  std::string out;
  PutU32(out, static_cast<uint32_t>(12 + headers.size() + payload.size() + 4));
  PutU32(out, static_cast<uint32_t>(headers.size()));
  PutU32(out, BitwiseCrc32(out));
  out.append(headers);
  out.append(payload);
  PutU32(out, BitwiseCrc32(out));
  return out;
}

std::string StringHeader(std::string_view name, std::string_view value) {
  std::string out;
  out.push_back(static_cast<char>(name.size()));
  out.append(name);
  out.push_back(7);
  out.push_back(static_cast<char>(value.size() >> 8));
  out.push_back(static_cast<char>(value.size() & 0xFF));
  out.append(value);
  return out;
}

TEST(EventStreamDecoder, BitwiseCrcMatchesTheCheckValue) {
  EXPECT_EQ(BitwiseCrc32("123456789"), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
}

TEST(EventStreamDecoder, DecodesTheServersEncoding) {
  std::string bytes = protocol::EncodeJsonEvent("SubscribeToShardEvent", R"({"Records":[]})") +
                      protocol::EncodeJsonException("ResourceInUseException", "taken over");
  EventStreamDecoder decoder;
  decoder.Append(bytes);
  EventMessage m;
  auto r = decoder.Next(m);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(*r);
  EXPECT_EQ(m.Header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(m.Header(":message-type"), "event");
  EXPECT_EQ(m.Header(":content-type"), "application/json");
  EXPECT_EQ(m.payload, R"({"Records":[]})");
  r = decoder.Next(m);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ(m.Header(":message-type"), "exception");
  EXPECT_EQ(m.Header(":exception-type"), "ResourceInUseException");
  EXPECT_EQ(m.payload, R"({"message":"taken over"})");
  r = decoder.Next(m);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(EventStreamDecoder, DecodesHandBuiltBytesFedOneByteAtATime) {
  std::string headers = StringHeader(":event-type", "initial-response") + StringHeader(":message-type", "event");
  // Non-string header types: bool true (0), int32 (4) and a uuid (9).
  headers += std::string("\x04" "flag" "\x00", 6);
  headers += std::string("\x05" "count" "\x04" "\x00\x00\x01\x02", 11);
  headers += std::string("\x02" "id" "\x09", 4) + std::string(16, '\x7f');
  std::string bytes = HandBuilt(headers, "{}") + HandBuilt(StringHeader(":message-type", "event"), "");
  EventStreamDecoder decoder;
  std::vector<EventMessage> messages;
  for (char c : bytes) {
    decoder.Append(std::string_view(&c, 1));
    EventMessage m;
    for (;;) {
      auto r = decoder.Next(m);
      ASSERT_TRUE(r.ok()) << r.status().message();
      if (!*r) break;
      messages.push_back(m);
    }
  }
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].Header(":event-type"), "initial-response");
  EXPECT_EQ(messages[0].Header("flag"), "true");
  EXPECT_EQ(messages[0].Header("count"), std::string("\x00\x00\x01\x02", 4));
  EXPECT_EQ(messages[0].Header("id").size(), 16u);
  EXPECT_EQ(messages[0].payload, "{}");
  EXPECT_EQ(messages[1].payload, "");
  EXPECT_EQ(messages[1].headers.size(), 1u);
  // The server's encoder produces the same bytes for string headers.
  EXPECT_EQ(protocol::EncodeEventMessage({{":message-type", "event"}}, ""),
            HandBuilt(StringHeader(":message-type", "event"), ""));
}

TEST(EventStreamDecoder, RejectsACorruptPayload) {
  std::string bytes = HandBuilt(StringHeader(":message-type", "event"), "{\"a\":1}");
  bytes[bytes.size() - 6] ^= 0x01;  // inside the payload
  EventStreamDecoder decoder;
  decoder.Append(bytes);
  EventMessage m;
  auto r = decoder.Next(m);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("message CRC"), std::string::npos);
  EXPECT_FALSE(decoder.Next(m).ok());  // stays failed
}

TEST(EventStreamDecoder, RejectsACorruptPreludeBeforeWaitingForTheBody) {
  std::string bytes = HandBuilt("", "payload");
  bytes[1] ^= 0x40;  // total length now huge; the prelude CRC no longer matches
  EventStreamDecoder decoder;
  decoder.Append(bytes.substr(0, 12));
  EventMessage m;
  auto r = decoder.Next(m);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("prelude CRC"), std::string::npos);
}

TEST(EventStreamDecoder, RejectsImpossibleLengthsAndBadHeaders) {
  std::string prelude;
  PutU32(prelude, 10);  // shorter than prelude + CRC
  PutU32(prelude, 0);
  PutU32(prelude, BitwiseCrc32(prelude));
  EventStreamDecoder short_total;
  short_total.Append(prelude);
  EventMessage m;
  EXPECT_FALSE(short_total.Next(m).ok());

  EventStreamDecoder bad_type;
  bad_type.Append(HandBuilt(std::string("\x01" "x" "\x0b", 3), ""));  // header type 11 does not exist
  auto r = bad_type.Next(m);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("headers"), std::string::npos);
}

}  // namespace
}  // namespace riffle::kinesis::internal
