// EventStreamDecoder: reads application/vnd.amazon.eventstream messages (the
// body of a SubscribeToShard response) from bytes that arrive in arbitrary
// pieces. The framing is described in protocol/event_stream.h; both CRC32s
// (prelude and message) are checked. Header values of every type are
// accepted; string (7) and byte-array (6) values are kept as text, the
// others as their raw big-endian bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace riffle::kinesis::internal {

struct EventMessage {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;
  // Value of header `name`, empty if absent.
  std::string_view Header(std::string_view name) const;
};

class EventStreamDecoder {
 public:
  // Largest message accepted (the event-stream limit: 16 MiB).
  static constexpr size_t kMaxMessageBytes = 16u << 20;

  void Append(std::string_view bytes);
  // The next complete message into `out` (true), or false when more bytes are
  // needed. A corrupt stream (CRC mismatch, impossible lengths, unknown header
  // type) is an InvalidArgument error; the decoder stays failed afterwards.
  StatusOr<bool> Next(EventMessage& out);
  // Bytes received but not yet returned as a message.
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  std::string buffer_;
  size_t consumed_ = 0;
  Status failed_;
};

}  // namespace riffle::kinesis::internal
