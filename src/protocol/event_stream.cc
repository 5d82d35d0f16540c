#include "protocol/event_stream.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "protocol/json_writer.h"

namespace riffle::protocol {

namespace {

constexpr uint8_t kStringHeader = 7;

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

uint32_t GetU32(std::string_view bytes, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(bytes[at])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
}

}  // namespace

std::string_view EventMessage::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

std::optional<size_t> DecodeEventMessage(std::string_view bytes, EventMessage* message) {
  if (bytes.size() < 12) return 0;
  const uint32_t total = GetU32(bytes, 0);
  const uint32_t headers_length = GetU32(bytes, 4);
  if (Crc32(bytes.substr(0, 8)) != GetU32(bytes, 8)) return std::nullopt;
  if (total < 16 || headers_length > total - 16) return std::nullopt;
  if (bytes.size() < total) return 0;
  if (Crc32(bytes.substr(0, total - 4)) != GetU32(bytes, total - 4)) return std::nullopt;
  message->headers.clear();
  std::string_view headers = bytes.substr(12, headers_length);
  while (!headers.empty()) {
    const size_t name_length = static_cast<unsigned char>(headers[0]);
    if (headers.size() < 1 + name_length + 3) return std::nullopt;
    std::string_view name = headers.substr(1, name_length);
    if (static_cast<uint8_t>(headers[1 + name_length]) != kStringHeader) return std::nullopt;
    const size_t value_length = static_cast<size_t>(static_cast<unsigned char>(headers[2 + name_length])) << 8 |
                                static_cast<unsigned char>(headers[3 + name_length]);
    const size_t header_size = 4 + name_length + value_length;
    if (headers.size() < header_size) return std::nullopt;
    message->headers.emplace_back(name, headers.substr(4 + name_length, value_length));
    headers.remove_prefix(header_size);
  }
  message->payload = bytes.substr(12 + headers_length, total - 16 - headers_length);
  return total;
}

uint32_t Crc32(std::string_view data, uint32_t crc) {
  // zlib's CRC-32 (the polynomial the event stream uses): a bytewise table
  // took half of a server's time pushing SubscribeToShard events.
  uLong value = crc;
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), UINT_MAX);
    value = crc32(value, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(value);
}

std::string EncodeEventMessage(const EventHeaders& headers, std::string_view payload) {
  size_t headers_length = 0;
  for (const auto& [name, value] : headers) headers_length += 1 + name.size() + 1 + 2 + value.size();
  const size_t total = 12 + headers_length + payload.size() + 4;
  std::string out;
  out.reserve(total);
  PutU32(out, static_cast<uint32_t>(total));
  PutU32(out, static_cast<uint32_t>(headers_length));
  PutU32(out, Crc32(out));
  for (const auto& [name, value] : headers) {
    out.push_back(static_cast<char>(name.size()));
    out.append(name);
    out.push_back(static_cast<char>(kStringHeader));
    out.push_back(static_cast<char>(value.size() >> 8));
    out.push_back(static_cast<char>(value.size()));
    out.append(value);
  }
  out.append(payload);
  PutU32(out, Crc32(out));
  return out;
}

std::string EncodeJsonEvent(std::string_view event_type, std::string_view json) {
  return EncodeEventMessage(
      {{":event-type", event_type}, {":content-type", "application/json"}, {":message-type", "event"}}, json);
}

std::string EncodeJsonException(std::string_view exception_type, std::string_view message) {
  JsonWriter w;
  w.BeginObject();
  w.Key("message");
  w.String(message);
  w.EndObject();
  return EncodeEventMessage({{":exception-type", exception_type},
                             {":content-type", "application/json"},
                             {":message-type", "exception"}},
                            w.str());
}

}  // namespace riffle::protocol
