#include "client/event_stream_reader.h"

#include "protocol/event_stream.h"

namespace riffle::kinesis::internal {

namespace {

constexpr size_t kPreludeBytes = 12;
constexpr size_t kCrcBytes = 4;

uint32_t ReadU32(const char* p) {
  auto b = [p](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

uint16_t ReadU16(const char* p) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[0]) << 8 | static_cast<unsigned char>(p[1]));
}

// Parses the header block into `out`; false if it is malformed.
bool ParseHeaders(std::string_view block, EventMessage& out) {
  size_t i = 0;
  while (i < block.size()) {
    size_t name_length = static_cast<unsigned char>(block[i++]);
    if (name_length == 0 || i + name_length + 1 > block.size()) return false;
    std::string name(block.substr(i, name_length));
    i += name_length;
    uint8_t type = static_cast<uint8_t>(block[i++]);
    size_t value_length = 0;
    switch (type) {
      case 0:  // bool true
      case 1:  // bool false
        value_length = 0;
        break;
      case 2: value_length = 1; break;   // byte
      case 3: value_length = 2; break;   // short
      case 4: value_length = 4; break;   // int
      case 5: value_length = 8; break;   // long
      case 8: value_length = 8; break;   // timestamp (ms)
      case 9: value_length = 16; break;  // uuid
      case 6:                            // byte array
      case 7:                            // string
        if (i + 2 > block.size()) return false;
        value_length = ReadU16(block.data() + i);
        i += 2;
        break;
      default: return false;
    }
    if (i + value_length > block.size()) return false;
    std::string value = type == 0 ? "true" : type == 1 ? "false" : std::string(block.substr(i, value_length));
    i += value_length;
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace

std::string_view EventMessage::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

void EventStreamDecoder::Append(std::string_view bytes) {
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

StatusOr<bool> EventStreamDecoder::Next(EventMessage& out) {
  if (!failed_.ok()) return failed_;
  std::string_view rest = std::string_view(buffer_).substr(consumed_);
  if (rest.size() < kPreludeBytes) return false;
  const uint32_t total = ReadU32(rest.data());
  const uint32_t headers_length = ReadU32(rest.data() + 4);
  const uint32_t prelude_crc = ReadU32(rest.data() + 8);
  auto fail = [this](std::string message) -> StatusOr<bool> {
    failed_ = Status::InvalidArgument("event stream: " + std::move(message));
    return failed_;
  };
  if (protocol::Crc32(rest.substr(0, 8)) != prelude_crc) return fail("prelude CRC mismatch");
  if (total < kPreludeBytes + kCrcBytes || total > kMaxMessageBytes ||
      headers_length > total - kPreludeBytes - kCrcBytes) {
    return fail("impossible lengths (total " + std::to_string(total) + ", headers " +
                std::to_string(headers_length) + ")");
  }
  if (rest.size() < total) return false;
  std::string_view message = rest.substr(0, total);
  if (protocol::Crc32(message.substr(0, total - kCrcBytes)) != ReadU32(message.data() + total - kCrcBytes)) {
    return fail("message CRC mismatch");
  }
  out.headers.clear();
  if (!ParseHeaders(message.substr(kPreludeBytes, headers_length), out)) return fail("malformed headers");
  out.payload.assign(message.substr(kPreludeBytes + headers_length, total - kPreludeBytes - headers_length - kCrcBytes));
  consumed_ += total;
  return true;
}

}  // namespace riffle::kinesis::internal
