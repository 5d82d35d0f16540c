#include "protocol/event_stream.h"

#include <array>

#include "protocol/json_writer.h"

namespace riffle::protocol {

namespace {

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();
constexpr uint8_t kStringHeader = 7;

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

}  // namespace

uint32_t Crc32(std::string_view data, uint32_t crc) {
  crc = ~crc;
  for (unsigned char byte : data) crc = kCrcTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return ~crc;
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
