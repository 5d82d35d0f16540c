// The event-stream framing of SubscribeToShard (protocol/event_stream.h):
// any headers and payload encode to one message whose prelude, lengths and
// both CRCs are consistent, read back by an independent walk of the bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/event_stream.h"

namespace {

using namespace riffle::protocol;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "event_stream_fuzzer: %s\n", what);
    std::abort();
  }
}

uint32_t BigEndian32(std::string_view s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) | (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(s[at + 3])};
}

// Input: NUL-separated fields — header name, header value, header name, ...,
// and the last field is the payload. Header names and values are kept to
// what the framing can carry (names < 256 bytes, values < 64 KiB).
void Check(std::string_view input) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '\0') {
      fields.push_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  std::string_view payload = fields.back();
  EventHeaders headers;
  const size_t header_fields = fields.size() - 1;  // the last field is the payload
  for (size_t i = 0; i + 1 < header_fields; i += 2) {
    std::string_view name = fields[i].substr(0, 255);
    std::string_view value = fields[i + 1].substr(0, 65535);
    if (name.empty()) continue;
    headers.emplace_back(name, value);
  }
  std::string message = EncodeEventMessage(headers, payload);
  Require(message.size() >= 16, "message shorter than prelude and CRC");
  uint32_t total = BigEndian32(message, 0);
  uint32_t header_bytes = BigEndian32(message, 4);
  Require(total == message.size(), "total length");
  Require(BigEndian32(message, 8) == Crc32(std::string_view(message).substr(0, 8)), "prelude CRC");
  Require(BigEndian32(message, total - 4) == Crc32(std::string_view(message).substr(0, total - 4)), "message CRC");
  Require(12 + header_bytes + payload.size() + 4 == total, "header and payload lengths");
  Require(std::string_view(message).substr(12 + header_bytes, payload.size()) == payload, "payload bytes");
  // Walk the headers: name length, name, type 7 (string), value length, value.
  size_t at = 12;
  size_t end = 12 + header_bytes;
  size_t index = 0;
  while (at < end) {
    Require(index < headers.size(), "more headers than given");
    size_t name_len = static_cast<uint8_t>(message[at]);
    Require(std::string_view(message).substr(at + 1, name_len) == headers[index].first, "header name");
    at += 1 + name_len;
    Require(static_cast<uint8_t>(message[at]) == 7, "header type");
    size_t value_len = (size_t{static_cast<uint8_t>(message[at + 1])} << 8) | static_cast<uint8_t>(message[at + 2]);
    Require(std::string_view(message).substr(at + 3, value_len) == headers[index].second, "header value");
    at += 3 + value_len;
    ++index;
  }
  Require(at == end && index == headers.size(), "header block length");
  // The JSON helpers frame what they are given the same way.
  (void)EncodeJsonEvent(headers.empty() ? "SubscribeToShardEvent" : headers[0].second, payload);
  (void)EncodeJsonException(headers.empty() ? "InternalFailure" : headers[0].first, payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Check(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
