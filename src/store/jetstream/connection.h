// Connection: one NATS connection and its JetStream context, made from the
// store's options (servers, credentials, TLS), reconnecting for ever.
//
// Asynchronous publish acknowledgements of the context go to the handler
// given to Open (on a cnats thread). The node id, drawn at random when the
// connection opens, prefixes every message id this store object publishes.
// Thread-safe (cnats connections and contexts are).
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "store/jetstream/jetstream_store.h"

namespace riffle::store::jetstream {

class Connection {
 public:
  using AckHandler = std::function<void(natsMsg* msg, jsPubAck* ack, jsPubAckErr* error)>;

  // `on_ack` gets every asynchronous publish result; it owns `msg`. The
  // answers to this connection's requests come to inboxes under
  // `inbox_prefix` when one is given (cnats's `_INBOX` otherwise).
  static StatusOr<std::unique_ptr<Connection>> Open(const JetStreamOptions& options, AckHandler on_ack,
                                                    const std::string& inbox_prefix = "");
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  natsConnection* nc() const { return nc_; }
  jsCtx* js() const { return js_; }
  const std::string& node_id() const { return node_id_; }  // 16 hex digits
  // The largest message (headers + payload) the servers take.
  int64_t max_payload() const { return natsConnection_GetMaxPayload(nc_); }
  bool connected() const { return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED; }
  // A new message id: `<node id>-<n>`.
  std::string NextMsgId();

 private:
  Connection() = default;
  static void OnAck(jsCtx* js, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);

  natsOptions* opts_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  AckHandler on_ack_;
  std::string node_id_;
  std::atomic<uint64_t> next_msg_ = 0;
};

}  // namespace riffle::store::jetstream
