#include "store/jetstream/leader_read.h"

#include <algorithm>

#include "store/jetstream/message_get.h"
#include "store/jetstream/names.h"
#include "store/jetstream/nats_ptr.h"
#include "store/jetstream/nats_status.h"
#include "store/jetstream/record_message.h"

namespace riffle::store::jetstream {
namespace {

constexpr jsErrCode kNoCode = static_cast<jsErrCode>(0);

// The leader's message at `seq`: null when it has none there.
StatusOr<NatsPtr<natsMsg>> LeaderMessage(Connection& connection, const JetStreamOptions& options, ShardKey shard,
                                         uint64_t seq) {
  const std::string name = LogStreamName(options.prefix, shard);
  NatsPtr<natsMsg> msg;
  Status s = RetryUnavailable(options.retry_budget_ms, [&] {
    natsMsg* m = nullptr;
    jsErrCode code = kNoCode;
    natsStatus ns = js_GetMsg(&m, connection.js(), name.c_str(), seq, nullptr, &code);
    msg.reset(m);
    if (ns == NATS_OK) return Status::Ok();
    if (code == JSNoMessageFoundErr || (ns == NATS_NOT_FOUND && code == kNoCode)) {
      msg.reset();
      return Status::Ok();
    }
    return FromNats(ns, code, "message " + std::to_string(seq) + " of " + name);
  });
  if (!s.ok()) return s;
  return msg;
}

std::string_view Payload(natsMsg* m) {
  return {natsMsg_GetData(m), static_cast<size_t>(natsMsg_GetDataLength(m))};
}

}  // namespace

std::string MessageIdOf(natsMsg* m) {
  const char* id = nullptr;
  if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK || id == nullptr) return "";
  return id;
}

StatusOr<bool> LeaderAgrees(Connection& connection, const JetStreamOptions& options, ShardKey shard, uint64_t seq,
                            const std::string& id) {
  const std::string name = LogStreamName(options.prefix, shard);
  const std::string request = "{\"seq\":" + std::to_string(seq) + "}";
  const std::string what = "message " + std::to_string(seq) + " of " + name;
  bool agrees = false;
  Status s = RetryUnavailable(options.retry_budget_ms, [&] {
    auto reply = RequestMessageGet(connection, name, request, options.request_timeout_ms, what);
    if (!reply.ok()) return reply.status();
    agrees = reply->seq == seq && reply->msg_id == id;  // "no message found": no seq
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return agrees;
}

StatusOr<LogRead> ReadFromLeader(Connection& connection, LogAdmin& admin, const JetStreamOptions& options,
                                 ShardKey shard, uint64_t from, const ReadLimits& limits) {
  auto offset = admin.OffsetOf(shard);
  if (!offset.ok()) return offset.status();
  from = std::max(from, admin.HiddenBelow(shard));
  auto info = admin.Info(shard);
  if (!info.ok()) return info.status();
  const jsStreamState& state = (*info)->State;
  // The end marker ends the log; nothing above it is read.
  auto marker = admin.EndMarker(shard);
  if (!marker.ok()) return marker.status();
  const uint64_t last = *marker ? **marker - 1 : state.LastSeq;
  LogRead out;
  out.next = from;
  out.at_end = false;
  uint64_t bytes = 0;
  uint64_t last_read = 0, last_end = 0;  // the last message read completely
  for (uint64_t seq = std::max(StreamSequenceOf(*offset, from), state.FirstSeq); seq <= last; ++seq) {
    auto msg = LeaderMessage(connection, options, shard, seq);
    if (!msg.ok()) return msg.status();
    if (*msg == nullptr) continue;  // trimmed meanwhile
    auto r = ReadMessage(seq + *offset, Payload(msg->get()), out.next, limits, &bytes, &out.records);
    if (!r.ok()) return r.status();
    out.next = r->next;
    if (!r->complete) return out;  // the limits were reached inside this message
    last_read = seq;
    last_end = r->message_end;
    if (out.records.size() >= limits.max_records || bytes >= limits.max_bytes) return out;
  }
  out.at_end = true;
  if (last_read != 0 && last_read == last) {
    out.next = std::max(out.next, last_end);
  } else if (SequenceOf(out.next) <= last + *offset) {
    auto end = admin.EndOf(shard, **info);
    if (!end.ok()) return end.status();
    out.next = std::max(out.next, *end);
  }
  return out;
}

}  // namespace riffle::store::jetstream
