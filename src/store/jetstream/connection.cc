#include "store/jetstream/connection.h"

#include <random>
#include <vector>


namespace riffle::store::jetstream {
namespace {

std::string RandomNodeId() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[static_cast<size_t>(i)] = kHex[v & 0xF];
  return id;
}

Status Check(natsStatus s, const char* what) {
  if (s == NATS_OK) return Status::Ok();
  const char* detail = nats_GetLastError(nullptr);
  return Status::InvalidArgument(std::string(what) + ": " + (detail != nullptr ? detail : natsStatus_GetText(s)));
}

}  // namespace

StatusOr<std::unique_ptr<Connection>> Connection::Open(const JetStreamOptions& options, AckHandler on_ack,
                                                        const std::string& inbox_prefix) {
  if (options.urls.empty()) return Status::InvalidArgument("no NATS server URL");
  std::unique_ptr<Connection> c(new Connection());
  c->on_ack_ = std::move(on_ack);
  c->node_id_ = RandomNodeId();
  RIFFLE_RETURN_IF_ERROR(Check(natsOptions_Create(&c->opts_), "NATS options"));
  std::vector<const char*> urls;
  for (const std::string& u : options.urls) urls.push_back(u.c_str());
  natsOptions* o = c->opts_;
  RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetServers(o, urls.data(), static_cast<int>(urls.size())), "NATS URLs"));
  if (!options.node_name.empty()) RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetName(o, options.node_name.c_str()), "name"));
  RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetTimeout(o, options.connect_timeout_ms), "timeout"));
  RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetMaxReconnect(o, -1), "reconnect"));
  RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetReconnectWait(o, 100), "reconnect wait"));
  // Requests in flight fail at once when the connection drops (and are
  // retried on the next server) instead of waiting for their timeout.
  RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetFailRequestsOnDisconnect(o, true), "fail requests"));
  if (!inbox_prefix.empty()) {
    RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetCustomInboxPrefix(o, inbox_prefix.c_str()), "inbox prefix"));
  }
  if (!options.creds_file.empty()) {
    RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetUserCredentialsFromFiles(o, options.creds_file.c_str(), nullptr),
                                 "NATS credentials file"));
  }
  if (!options.tls_ca_file.empty() || !options.tls_cert_file.empty()) {
    RIFFLE_RETURN_IF_ERROR(Check(natsOptions_SetSecure(o, true), "TLS"));
    if (!options.tls_ca_file.empty()) {
      RIFFLE_RETURN_IF_ERROR(
          Check(natsOptions_LoadCATrustedCertificates(o, options.tls_ca_file.c_str()), "NATS TLS CA file"));
    }
    if (!options.tls_cert_file.empty()) {
      RIFFLE_RETURN_IF_ERROR(Check(natsOptions_LoadCertificatesChain(o, options.tls_cert_file.c_str(),
                                                                     options.tls_key_file.c_str()),
                                   "NATS TLS certificate"));
    }
  }
  natsStatus s = natsConnection_Connect(&c->nc_, o);
  if (s != NATS_OK) return Status::Unavailable(std::string("connecting to NATS: ") + natsStatus_GetText(s));
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = options.request_timeout_ms;
  jo.PublishAsync.AckHandler = &Connection::OnAck;
  jo.PublishAsync.AckHandlerClosure = c.get();
  RIFFLE_RETURN_IF_ERROR(Check(natsConnection_JetStream(&c->js_, c->nc_, &jo), "JetStream context"));
  return c;
}

Connection::~Connection() {
  if (nc_ != nullptr) natsConnection_Close(nc_);
  jsCtx_Destroy(js_);
  natsConnection_Destroy(nc_);
  natsOptions_Destroy(opts_);
}

std::string Connection::NextMsgId() { return node_id_ + "-" + std::to_string(++next_msg_); }

void Connection::OnAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  static_cast<Connection*>(closure)->on_ack_(msg, ack, error);
}

}  // namespace riffle::store::jetstream
