// Event-stream framing (application/vnd.amazon.eventstream): the binary
// messages SubscribeToShard answers with.
//
// One message is
//   u32 BE  total length (prelude + headers + payload + message CRC)
//   u32 BE  headers length
//   u32 BE  CRC32 of the 8 bytes above (prelude CRC)
//   headers: u8 name length, name, u8 value type (7 = string),
//            u16 BE value length, value — repeated
//   payload
//   u32 BE  CRC32 of everything above (message CRC)
// CRC32 is the IEEE polynomial (zlib's crc32), not CRC32C.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace riffle::protocol {

using EventHeaders = std::vector<std::pair<std::string_view, std::string_view>>;

// CRC32 (IEEE 802.3, reflected 0xEDB88320) of `data`, continuing from `crc`.
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

// One message with string-valued headers.
std::string EncodeEventMessage(const EventHeaders& headers, std::string_view payload);

// One decoded message; the views point into the decoded bytes.
struct EventMessage {
  EventHeaders headers;
  std::string_view payload;

  // The value of header `name`, or "" when absent.
  std::string_view Header(std::string_view name) const;
};

// Decodes the message at the start of `bytes` into `*message` and returns
// its size; 0 when `bytes` holds no complete message yet; nullopt when the
// message is malformed (bad lengths or CRCs, a header not of type string).
std::optional<size_t> DecodeEventMessage(std::string_view bytes, EventMessage* message);

// `:event-type <type>`, `:content-type application/json`,
// `:message-type event` around a JSON payload.
std::string EncodeJsonEvent(std::string_view event_type, std::string_view json);

// `:exception-type <type>`, `:content-type application/json`,
// `:message-type exception` around `{"message":"..."}`.
std::string EncodeJsonException(std::string_view exception_type, std::string_view message);

}  // namespace riffle::protocol
