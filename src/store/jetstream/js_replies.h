// JetStream answers read by hand: the message-get API's answer to a request
// cnats has no call for (`next_by_subj`) or whose payload is not wanted (the
// leader check of reads needs only a message's id: cnats would decode the
// whole base64 payload), and publish acknowledgements seen on other nodes'
// inboxes (end_fences.h). Only the fields named are read. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace riffle::store::jetstream {

struct MsgGetReply {
  std::optional<uint64_t> seq;  // the message found
  std::string msg_id;           // its Nats-Msg-Id header ("" for none)
  int err_code = 0;             // JetStream's error code (10037: no message found)
};

// nullopt when `json` is neither a found message nor an error (or its
// headers are not base64).
std::optional<MsgGetReply> ParseMsgGetReply(std::string_view json);

struct PubAck {
  std::string stream;
  uint64_t seq = 0;
};

// A publish acknowledgement (`{"stream":"<name>","seq":<n>...}`, perhaps with
// `"duplicate":true`); nullopt for an error, an API answer (those name their
// "type") or anything else.
std::optional<PubAck> ParsePubAck(std::string_view json);

}  // namespace riffle::store::jetstream
