#include "store/jetstream/meta_store.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "store/jetstream/names.h"
#include "store/jetstream/nats_status.h"

namespace riffle::store::jetstream {
namespace {

constexpr jsErrCode kNoCode = static_cast<jsErrCode>(0);

}  // namespace

MetaStore::MetaStore(Connection* connection, const JetStreamOptions& options)
    : connection_(connection), options_(options) {}

Status MetaStore::Open() {
  for (bool ephemeral : {false, true}) {
    const std::string bucket = MetaBucket(options_.prefix, ephemeral);
    kvStore* kv = nullptr;
    Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
      natsStatus ns = js_KeyValue(&kv, connection_->js(), bucket.c_str());
      if (ns == NATS_OK) return Status::Ok();
      if (ns != NATS_NOT_FOUND) return FromNats(ns, kNoCode, "binding bucket " + bucket);
      kvConfig cfg;
      kvConfig_Init(&cfg);
      cfg.Bucket = bucket.c_str();
      cfg.History = 1;
      cfg.StorageType = js_FileStorage;
      cfg.Replicas = options_.replicas;
      if (ephemeral) cfg.TTL = options_.ephemeral_ttl_ms * 1000 * 1000;  // nanoseconds
      ns = js_CreateKeyValue(&kv, connection_->js(), &cfg);
      if (ns == NATS_OK) return Status::Ok();
      // Another node starting at the same moment may have created it first:
      // its stream then exists ("already in use") or is still being created
      // ("subjects overlap"); bind to it, on this attempt or the next.
      const std::string why = nats_GetLastError(nullptr);
      kv = nullptr;
      if (js_KeyValue(&kv, connection_->js(), bucket.c_str()) == NATS_OK) return Status::Ok();
      Status failed = FromNats(ns, kNoCode, "creating bucket " + bucket + (why.empty() ? "" : " (" + why + ")"));
      // A cluster still forming answers R3 placement with "insufficient
      // resources" or "no suitable peers" until every server's JetStream has
      // joined the meta group (seen on a loaded machine right after start):
      // transient, like the races above.
      for (const char* transient : {"subjects overlap", "already in use", "insufficient resources",
                                    "no suitable peers", "temporarily unavailable"}) {
        if (why.find(transient) != std::string::npos) return Status(Errc::kUnavailable, failed.message());
      }
      return failed;
    });
    if (!s.ok()) return s;
    (ephemeral ? lease_ : meta_).reset(kv);
  }
  return Status::Ok();
}

StatusOr<std::vector<MetaEntry>> MetaStore::Scan(const std::string& prefix) {
  // The watcher reads through a consumer on any replica, which may lag the
  // leader: the scan must reflect at least what the leader held before it
  // started (every write acknowledged by then, through any node).
  uint64_t first = 0, leader_last = 0;
  auto last = LastRevision(/*ephemeral=*/false, &first, &leader_last);
  if (!last.ok()) return last.status();
  const bool leader_empty = !last->has_value();
  std::vector<MetaEntry> entries;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    entries.clear();
    kvWatchOptions wo;
    kvWatchOptions_Init(&wo);
    wo.IgnoreDeletes = false;  // a delete may be the leader's last message: it must be seen
    kvWatcher* raw = nullptr;
    natsStatus ns = kvStore_WatchAll(&raw, meta_.get(), &wo);
    if (ns != NATS_OK) return FromNats(ns, kNoCode, "scanning metadata");
    NatsPtr<kvWatcher> watcher(raw);
    uint64_t newest = 0;       // the highest revision delivered
    bool stale = false;        // a value the leader no longer held when the scan began
    while (true) {
      kvEntry* e = nullptr;
      ns = kvWatcher_Next(&e, watcher.get(), options_.request_timeout_ms);
      if (ns != NATS_OK) return FromNats(ns, kNoCode, "scanning metadata");
      if (e == nullptr) break;  // the end of the current values
      NatsPtr<kvEntry> entry(e);
      newest = std::max(newest, kvEntry_Revision(e));
      if (leader_empty && kvEntry_Revision(e) <= leader_last) stale = true;
      if (kvEntry_Operation(e) != kvOp_Put) continue;
      auto key = DecodeKey(kvEntry_Key(e));
      if (!key || key->compare(0, prefix.size(), prefix) != 0) continue;
      entries.push_back({std::move(*key),
                         std::string(static_cast<const char*>(kvEntry_Value(e)),
                                     static_cast<size_t>(kvEntry_ValueLen(e))),
                         kvEntry_Revision(e)});
    }
    // The last message of a bucket is its key's newest value (or delete),
    // so a replica that had it delivers it.
    if (stale || (!leader_empty && newest < leader_last)) {
      return Status::Unavailable("the replica serving a metadata scan lags its leader");
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::sort(entries.begin(), entries.end(), [](const MetaEntry& a, const MetaEntry& b) { return a.key < b.key; });
  return entries;
}

StatusOr<std::optional<MetaStore::Last>> MetaStore::GetLast(const std::string& key, bool ephemeral) {
  const std::string bucket = MetaBucket(options_.prefix, ephemeral);
  const std::string stream = KvStreamName(bucket);
  const std::string subject = KvSubject(bucket, key);
  std::optional<Last> last;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    natsMsg* raw = nullptr;
    jsErrCode code = kNoCode;
    // The leader answers js_GetLastMsg (a direct get may be answered by a
    // lagging replica).
    natsStatus ns = js_GetLastMsg(&raw, connection_->js(), stream.c_str(), subject.c_str(), nullptr, &code);
    NatsPtr<natsMsg> msg(raw);
    if (ns == NATS_NOT_FOUND || code == JSNoMessageFoundErr) {
      last.reset();
      return Status::Ok();
    }
    if (ns != NATS_OK) return FromNats(ns, code, "reading metadata");
    Last l;
    l.revision = natsMsg_GetSequence(msg.get());
    const char* op = nullptr;
    l.deleted = natsMsgHeader_Get(msg.get(), "KV-Operation", &op) == NATS_OK && op != nullptr &&
                (std::strcmp(op, "DEL") == 0 || std::strcmp(op, "PURGE") == 0);
    l.value.assign(natsMsg_GetData(msg.get()), static_cast<size_t>(natsMsg_GetDataLength(msg.get())));
    last = std::move(l);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return last;
}

StatusOr<std::optional<MetaEntry>> MetaStore::Get(const std::string& key, bool ephemeral) {
  auto last = GetLast(key, ephemeral);
  if (!last.ok()) return last.status();
  if (!*last || (*last)->deleted) return std::optional<MetaEntry>();
  return std::optional<MetaEntry>(MetaEntry{key, std::move((*last)->value), (*last)->revision});
}

StatusOr<uint64_t> MetaStore::Publish(const MetaWrite& write, std::optional<uint64_t> expected,
                                      std::optional<uint64_t> stream_last) {
  const std::string bucket = MetaBucket(options_.prefix, write.ephemeral);
  const std::string subject = KvSubject(bucket, write.key);
  const std::string msg_id = connection_->NextMsgId();
  const std::string expected_text = expected ? std::to_string(*expected) : "";
  const std::string stream_text = stream_last ? std::to_string(*stream_last) : "";
  uint64_t revision = 0;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    natsMsg* raw = nullptr;
    // A deletion is an empty message with a KV-Operation header.
    const char* data = write.value ? write.value->data() : nullptr;
    const int size = write.value ? static_cast<int>(write.value->size()) : 0;
    natsStatus ns = natsMsg_Create(&raw, subject.c_str(), nullptr, data, size);
    if (ns != NATS_OK) return Status::StorageError("creating a NATS message failed");
    NatsPtr<natsMsg> msg(raw);
    if (!write.value) natsMsgHeader_Set(msg.get(), "KV-Operation", "DEL");
    if (expected) natsMsgHeader_Set(msg.get(), "Nats-Expected-Last-Subject-Sequence", expected_text.c_str());
    if (stream_last) natsMsgHeader_Set(msg.get(), "Nats-Expected-Last-Sequence", stream_text.c_str());
    jsPubOptions opts;
    jsPubOptions_Init(&opts);
    opts.MsgId = msg_id.c_str();
    opts.MaxWait = options_.request_timeout_ms;
    jsPubAck* ack = nullptr;
    jsErrCode code = kNoCode;
    ns = js_PublishMsg(&ack, connection_->js(), msg.get(), &opts, &code);
    if (ns == NATS_OK) revision = ack->Sequence;
    jsPubAck_Destroy(ack);
    return ns == NATS_OK ? Status::Ok() : FromNats(ns, code, "writing metadata key");
  });
  if (!s.ok()) return s;
  return revision;
}

StatusOr<uint64_t> MetaStore::Write(const MetaWrite& write) {
  if (write.value && write.value->size() > kMaxMetaValueBytes) {
    return Status::InvalidArgument("metadata value larger than " + std::to_string(kMaxMetaValueBytes) + " bytes");
  }
  if (write.expected_revision == kAnyRevision) return Publish(write, std::nullopt, std::nullopt);
  const int64_t deadline = NowMs() + options_.retry_budget_ms;
  int64_t pause_ms = 5;
  while (true) {
    uint64_t first = 0, stream_last_seq = 0;
    auto stream_last = LastRevision(write.ephemeral, &first, &stream_last_seq);
    if (!stream_last.ok()) return stream_last.status();
    auto last = GetLast(write.key, write.ephemeral);
    if (!last.ok()) return last.status();
    uint64_t expected = 0;  // the key has no message (or, below, only a deletion marker)
    if (write.expected_revision == kMustNotExist) {
      if (*last && !(*last)->deleted) return Status::Conflict("metadata key exists");
      if (*last) expected = (*last)->revision;
    } else {
      if (!*last || (*last)->revision != write.expected_revision) {
        return Status::Conflict("metadata key is not at the expected revision");
      }
      expected = write.expected_revision;
    }
    auto written = Publish(write, expected, stream_last_seq);
    if (written.ok() || written.status().code() != Errc::kConflict) return written;
    // Another key was written in between (or this one: the next read tells).
    if (NowMs() + pause_ms > deadline) return Status::Unavailable("metadata writes keep racing");
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min<int64_t>(pause_ms * 2, 100);
  }
}

StatusOr<std::optional<uint64_t>> MetaStore::LastRevision(bool ephemeral, uint64_t* first, uint64_t* last_seq) {
  const std::string stream = KvStreamName(MetaBucket(options_.prefix, ephemeral));
  std::optional<uint64_t> last;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    jsStreamInfo* raw = nullptr;
    jsErrCode code = kNoCode;
    natsStatus ns = js_GetStreamInfo(&raw, connection_->js(), stream.c_str(), nullptr, &code);
    NatsPtr<jsStreamInfo> info(raw);
    if (ns != NATS_OK) return FromNats(ns, code, "metadata stream info");
    *first = info->State.FirstSeq;
    if (last_seq != nullptr) *last_seq = info->State.LastSeq;
    last = info->State.Msgs == 0 ? std::nullopt : std::optional<uint64_t>(info->State.LastSeq);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return last;
}

}  // namespace riffle::store::jetstream
