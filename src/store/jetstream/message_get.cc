#include "store/jetstream/message_get.h"

#include "store/jetstream/nats_ptr.h"
#include "store/jetstream/nats_status.h"

namespace riffle::store::jetstream {

StatusOr<MsgGetReply> RequestMessageGet(Connection& connection, const std::string& stream,
                                        const std::string& request, int64_t wait_ms, const std::string& what) {
  const std::string api = "$JS.API.STREAM.MSG.GET." + stream;
  natsMsg* raw = nullptr;
  natsStatus ns = natsConnection_Request(&raw, connection.nc(), api.c_str(), request.data(),
                                         static_cast<int>(request.size()), wait_ms);
  NatsPtr<natsMsg> reply(raw);
  if (ns != NATS_OK) return FromNats(ns, static_cast<jsErrCode>(0), what);
  auto parsed = ParseMsgGetReply(std::string_view(natsMsg_GetData(raw), natsMsg_GetDataLength(raw)));
  if (!parsed) return Status::Unavailable(what + ": an answer not understood");
  if (parsed->seq || parsed->err_code == JSNoMessageFoundErr) return *parsed;
  if (parsed->err_code == 503) return Status::Unavailable(what + ": JetStream unavailable");
  return FromNats(NATS_ERR, static_cast<jsErrCode>(parsed->err_code), what);
}

}  // namespace riffle::store::jetstream
