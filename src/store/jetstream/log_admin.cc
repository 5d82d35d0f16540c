#include "store/jetstream/log_admin.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "store/jetstream/message_get.h"
#include "store/jetstream/names.h"
#include "store/jetstream/nats_status.h"
#include "store/jetstream/record_message.h"

namespace riffle::store::jetstream {
namespace {

constexpr int64_t kNanosPerMs = 1000 * 1000;
constexpr jsErrCode kNoCode = static_cast<jsErrCode>(0);
// The end of a log sealed without an end marker (SettledEnd) is read every
// kSealSettleMs, at most kSealSettleReads times, until its last sequence
// stood still kSealStillReads times. A bound by waiting, not exact: three
// reads (100 ms) let an append commit above the end once on a loaded 2-core
// machine, and eight (400 ms) once more; logs sealed now have a marker.
constexpr int64_t kSealSettleMs = 50;
constexpr int kSealSettleReads = 100;
constexpr int kSealStillReads = 16;
// After a configuration update failed, whether another node sealed the log
// meanwhile is asked up to kSealSeenReads times, kSealSettleMs apart: the
// stream's leader may answer its info before it applied that seal (R3, a
// loaded machine: once in CI).
constexpr int kSealSeenReads = 40;

}  // namespace

LogAdmin::LogAdmin(Connection* connection, const JetStreamOptions& options)
    : connection_(connection), options_(options) {}

StatusOr<NatsPtr<jsStreamInfo>> LogAdmin::Info(ShardKey shard) {
  NatsPtr<jsStreamInfo> info;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    auto got = InfoWithin(shard, options_.request_timeout_ms);
    if (!got.ok()) return got.status();
    info = std::move(*got);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return info;
}

StatusOr<uint64_t> LogAdmin::EndOf(ShardKey shard, const jsStreamInfo& info) {
  auto marker = EndMarker(shard);
  if (!marker.ok()) return marker.status();
  return EndAt(shard, info, *marker ? **marker - 1 : info.State.LastSeq);
}

StatusOr<uint64_t> LogAdmin::EndAt(ShardKey shard, const jsStreamInfo& info, uint64_t last) {
  const LogDescriptionFields fields =
      ParseLogDescription(info.Config->Description != nullptr ? info.Config->Description : "")
          .value_or(LogDescriptionFields{});
  const uint64_t offset = OffsetIn(info);
  if (last == 0) return fields.first_counter;  // never stored a message
  if (info.State.Msgs == 0 || info.State.FirstSeq > last) {
    // The last message was trimmed: its end, if TrimBefore wrote it down.
    if (fields.end && *fields.end > 0 && SequenceOf(*fields.end - 1) == last + offset) return *fields.end;
    return CounterOf(last + offset + 1, 0);
  }
  const std::string name = LogStreamName(options_.prefix, shard);
  NatsPtr<natsMsg> msg;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    natsMsg* m = nullptr;
    jsErrCode code = kNoCode;
    natsStatus ns = js_GetMsg(&m, connection_->js(), name.c_str(), last, nullptr, &code);
    msg.reset(m);
    if (ns == NATS_OK) return Status::Ok();
    if (ns == NATS_NOT_FOUND || code == JSNoMessageFoundErr) return Status::NotFound("gone");
    return FromNats(ns, code, "last message of " + name);
  });
  if (s.code() == Errc::kResourceNotFound) return CounterOf(last + offset + 1, 0);
  if (!s.ok()) return s;
  auto header = PeekMessage(std::string_view(natsMsg_GetData(msg.get()), natsMsg_GetDataLength(msg.get())));
  if (!header.ok()) return header.status();
  return CounterOf(last + offset, header->record_count);
}

std::optional<uint64_t> LogAdmin::CachedEndMarker(ShardKey shard) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = end_markers_.find(shard);
  if (it == end_markers_.end()) return std::nullopt;
  return it->second;
}

void LogAdmin::CacheEndMarker(ShardKey shard, uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  end_markers_[shard] = seq;
}

StatusOr<std::optional<uint64_t>> LogAdmin::EndMarker(ShardKey shard) {
  if (auto cached = CachedEndMarker(shard)) return cached;
  const std::string name = LogStreamName(options_.prefix, shard);
  const std::string subject = LogEndSubject(options_.prefix, shard);
  std::optional<uint64_t> marker;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    natsMsg* m = nullptr;
    jsErrCode code = kNoCode;
    // Not a direct get: the leader answers, so a marker committed before
    // the call is found.
    natsStatus ns = js_GetLastMsg(&m, connection_->js(), name.c_str(), subject.c_str(), nullptr, &code);
    NatsPtr<natsMsg> msg(m);
    if (ns == NATS_OK) {
      marker = natsMsg_GetSequence(msg.get());
      return Status::Ok();
    }
    if (code == JSNoMessageFoundErr) return Status::Ok();
    if (ns == NATS_NOT_FOUND && code == kNoCode) code = JSStreamNotFoundErr;
    return FromNats(ns, code, "end marker of " + name);
  });
  if (!s.ok()) return s;
  if (marker) CacheEndMarker(shard, *marker);
  return marker;
}

namespace {

// The name of the server leading a stream, "" when its info names none.
std::string LeaderOf(const jsStreamInfo& info) {
  return info.Cluster != nullptr && info.Cluster->Leader != nullptr ? info.Cluster->Leader : "";
}

}  // namespace

StatusOr<NatsPtr<jsStreamInfo>> LogAdmin::InfoWithin(ShardKey shard, int64_t wait_ms) {
  const std::string name = LogStreamName(options_.prefix, shard);
  jsOptions opts;
  jsOptions_Init(&opts);
  opts.Wait = wait_ms;
  jsStreamInfo* si = nullptr;
  jsErrCode code = kNoCode;
  natsStatus ns = js_GetStreamInfo(&si, connection_->js(), name.c_str(), &opts, &code);
  NatsPtr<jsStreamInfo> info(si);
  if (ns == NATS_NOT_FOUND && code == kNoCode) code = JSStreamNotFoundErr;
  if (ns != NATS_OK) return FromNats(ns, code, "stream info of " + name);
  return info;
}

StatusOr<std::optional<uint64_t>> LogAdmin::EndMarkerFrom(ShardKey shard, uint64_t from, uint64_t through,
                                                          int64_t wait_ms) {
  if (auto cached = CachedEndMarker(shard)) return cached;
  const std::string name = LogStreamName(options_.prefix, shard);
  auto before = InfoWithin(shard, wait_ms);
  if (!before.ok()) return before.status();
  if ((*before)->State.LastSeq < through) {
    return Status::Unavailable("the leader of " + name + " has applied its log up to " +
                               std::to_string((*before)->State.LastSeq) + " of " + std::to_string(through));
  }
  const std::string request = "{\"seq\":" + std::to_string(std::max<uint64_t>(from, 1)) + ",\"next_by_subj\":\"" +
                              LogEndSubject(options_.prefix, shard) + "\"}";
  auto reply = RequestMessageGet(*connection_, name, request, wait_ms, "end marker of " + name);
  if (!reply.ok()) return reply.status();
  if (reply->seq) {
    CacheEndMarker(shard, *reply->seq);
    return reply->seq;
  }
  // "No marker" is believed only from the leader whose log was seen to reach
  // `through`: one elected between the two requests may not have applied it.
  if (after_no_marker_for_test_) after_no_marker_for_test_();
  auto after = InfoWithin(shard, wait_ms);
  if (!after.ok()) return after.status();
  const std::string leader = LeaderOf(**before);
  if (leader != LeaderOf(**after)) {
    return Status::Unavailable("the leader of " + name + " changed while its end marker was looked up");
  }
  return std::optional<uint64_t>();
}

StatusOr<NatsPtr<jsStreamInfo>> LogAdmin::InfoOfCreated(ShardKey shard) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.retry_budget_ms);
  while (true) {
    auto info = Info(shard);
    if (info.ok() || info.status().code() != Errc::kResourceNotFound ||
        std::chrono::steady_clock::now() >= deadline) {
      return info;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kSealSettleMs));
  }
}

uint64_t LogAdmin::OffsetIn(const jsStreamInfo& info) {
  auto fields = ParseLogDescription(info.Config->Description != nullptr ? info.Config->Description : "");
  return fields ? OffsetFor(fields->first_counter) : 0;
}

std::optional<uint64_t> LogAdmin::CachedOffset(ShardKey shard) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = offsets_.find(shard);
  if (it == offsets_.end()) return std::nullopt;
  return it->second;
}

StatusOr<uint64_t> LogAdmin::OffsetOf(ShardKey shard) {
  if (auto cached = CachedOffset(shard)) return *cached;
  auto info = Info(shard);
  if (!info.ok()) return info.status();
  const uint64_t offset = OffsetIn(**info);
  std::lock_guard<std::mutex> lock(mu_);
  offsets_[shard] = offset;
  return offset;
}

Status LogAdmin::Create(ShardKey shard, const LogOptions& options) {
  const std::string name = LogStreamName(options_.prefix, shard);
  const std::string subject = LogSubject(options_.prefix, shard);
  const std::string end_subject = LogEndSubject(options_.prefix, shard);
  const std::string description = LogDescription({options.first_counter, std::nullopt});
  const int64_t max_age = options.retention_ms * kNanosPerMs;
  auto info = Info(shard);
  if (!info.ok() && info.status().code() != Errc::kResourceNotFound) return info.status();
  if (!info.ok()) {
    const char* subjects[] = {subject.c_str(), end_subject.c_str()};
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name.c_str();
    cfg.Description = description.c_str();
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 2;
    cfg.Storage = js_FileStorage;
    cfg.Retention = js_LimitsPolicy;
    cfg.Replicas = options_.replicas;
    cfg.MaxAge = max_age;
    cfg.Duplicates = options_.duplicate_window_ms * kNanosPerMs;
    cfg.AllowDirect = true;
    cfg.DenyDelete = true;
    Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
      jsStreamInfo* si = nullptr;
      jsErrCode code = kNoCode;
      natsStatus ns = js_AddStream(&si, connection_->js(), &cfg, nullptr, &code);
      jsStreamInfo_Destroy(si);
      // Another node created it first (with another retention): fine.
      if (ns == NATS_OK || code == JSStreamNameExistErr) return Status::Ok();
      return FromNats(ns, code, "creating stream " + name);
    });
    RIFFLE_RETURN_IF_ERROR(s);
    info = InfoOfCreated(shard);
    if (!info.ok()) return info.status();
  }
  jsStreamInfo& si = **info;
  if (si.Config->Sealed) return Status::Ok();
  if (si.Config->MaxAge != max_age) {
    jsStreamConfig cfg = *si.Config;
    cfg.MaxAge = max_age;
    // Refused when another node sealed the log meanwhile (a sealed log no
    // longer ages out: core drops it whole after its retention).
    Status updated = UpdateConfig(cfg, "updating stream " + name);
    if (!updated.ok() && !SealedElsewhere(shard)) return updated;
  }
  // The first CreateLog of a log fixes its first counter (the description,
  // hence the offset of its counters); a purge that moves the first sequence
  // of an empty stream breaks replicated streams in nats-server 2.9.
  return Status::Ok();
}

Status LogAdmin::UpdateConfig(jsStreamConfig cfg, const std::string& what) {
  return RetryUnavailable(options_.retry_budget_ms, [&] {
    jsStreamInfo* updated = nullptr;
    jsErrCode code = kNoCode;
    natsStatus ns = js_UpdateStream(&updated, connection_->js(), &cfg, nullptr, &code);
    jsStreamInfo_Destroy(updated);
    return ns == NATS_OK ? Status::Ok() : FromNats(ns, code, what);
  });
}

Status LogAdmin::MarkEnd(ShardKey shard, const jsStreamInfo& info) {
  const std::string name = LogStreamName(options_.prefix, shard);
  const std::string end_subject = LogEndSubject(options_.prefix, shard);
  bool listens = false;
  for (int i = 0; i < info.Config->SubjectsLen; ++i) listens |= end_subject == info.Config->Subjects[i];
  if (!listens) {
    // A log created before end markers existed.
    const std::string subject = LogSubject(options_.prefix, shard);
    const char* subjects[] = {subject.c_str(), end_subject.c_str()};
    jsStreamConfig cfg = *info.Config;
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 2;
    Status s = UpdateConfig(cfg, "adding the end subject to " + name);
    if (!s.ok()) return SealedElsewhere(shard) ? Status::Ok() : s;
  }
  // At most one marker per log: the first publish through any node wins,
  // the others are refused (10071) or, as retries of one id, deduplicated.
  return RetryUnavailable(options_.retry_budget_ms, [&] {
    natsMsg* raw = nullptr;
    if (natsMsg_Create(&raw, end_subject.c_str(), nullptr, nullptr, 0) != NATS_OK) {
      return Status::StorageError("creating a NATS message failed");
    }
    NatsPtr<natsMsg> msg(raw);
    natsMsgHeader_Set(msg.get(), "Nats-Expected-Last-Subject-Sequence", "0");
    jsPubOptions opts;
    jsPubOptions_Init(&opts);
    opts.MsgId = kLogEndMsgId;
    opts.MaxWait = options_.request_timeout_ms;
    jsPubAck* ack = nullptr;
    jsErrCode code = kNoCode;
    natsStatus ns = js_PublishMsg(&ack, connection_->js(), msg.get(), &opts, &code);
    NatsPtr<jsPubAck> owned(ack);
    if (ns == NATS_OK) {
      if (ack->Sequence == 0) return Status::Unavailable("the end marker of " + name + " is not stored yet");
      CacheEndMarker(shard, ack->Sequence);
      return Status::Ok();
    }
    Status why = FromNats(ns, code, "marking the end of " + name);
    if (why.code() == Errc::kConflict || why.code() == Errc::kSealed) return Status::Ok();
    return why;
  });
}

StatusOr<uint64_t> LogAdmin::Seal(ShardKey shard) {
  auto info = Info(shard);
  if (!info.ok()) return info.status();
  if (!(*info)->Config->Sealed) {
    // The marker is the exact end: appends the leader takes after it are
    // above it, outside the log (their appends are reported sealed); the
    // seal then stops further appends.
    RIFFLE_RETURN_IF_ERROR(MarkEnd(shard, **info));
    const std::string name = LogStreamName(options_.prefix, shard);
    info = Info(shard);
    if (!info.ok()) return info.status();
    jsStreamConfig cfg = *(*info)->Config;
    cfg.Sealed = true;
    if (before_seal_update_for_test_ && !(*info)->Config->Sealed) before_seal_update_for_test_();
    Status sealing = (*info)->Config->Sealed ? Status::Ok() : UpdateConfig(cfg, "sealing stream " + name);
    // Another node sealing the same log at the same moment makes this
    // update fail (JetStream error 10052: a sealed stream's configuration
    // cannot change, nor cancel its deny-purge); the seal is what was asked for.
    if (!sealing.ok() && !SealedElsewhere(shard)) return sealing;
  }
  auto marker = EndMarker(shard);
  if (!marker.ok()) return marker.status();
  if (!*marker) return SettledEnd(shard);
  info = Info(shard);
  if (!info.ok()) return info.status();
  return EndAt(shard, **info, **marker - 1);
}

bool LogAdmin::SealedElsewhere(ShardKey shard) {
  for (int i = 0; i < kSealSeenReads; ++i) {
    auto info = Info(shard);
    if (!info.ok()) return false;
    if ((*info)->Config->Sealed) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(kSealSettleMs));
  }
  return false;
}

StatusOr<uint64_t> LogAdmin::SettledEnd(ShardKey shard) {
  // A log sealed without a marker (by an earlier Riffle) was sealed by a
  // configuration change alone, which is not ordered with the stream's own
  // log: its end is read once its last sequence stood still for a while.
  uint64_t last = UINT64_MAX;
  int still = 0;
  StatusOr<NatsPtr<jsStreamInfo>> info = Status::Unavailable("");
  for (int i = 0; i < kSealSettleReads && still < kSealStillReads; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(kSealSettleMs));
    info = Info(shard);
    if (!info.ok()) return info.status();
    still = (*info)->State.LastSeq == last ? still + 1 : 0;
    last = (*info)->State.LastSeq;
  }
  return EndAt(shard, **info, last);
}

Status LogAdmin::Drop(ShardKey shard) {
  const std::string name = LogStreamName(options_.prefix, shard);
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    jsErrCode code = kNoCode;
    natsStatus ns = js_DeleteStream(connection_->js(), name.c_str(), nullptr, &code);
    if (ns == NATS_OK || code == JSStreamNotFoundErr || ns == NATS_NOT_FOUND) return Status::Ok();
    return FromNats(ns, code, "deleting stream " + name);
  });
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    hidden_below_.erase(shard);
    offsets_.erase(shard);
  }
  return s;
}

StatusOr<std::vector<LogInfo>> LogAdmin::List() {
  std::vector<LogInfo> logs;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    logs.clear();
    jsStreamInfoList* list = nullptr;
    jsErrCode code = kNoCode;
    natsStatus ns = js_Streams(&list, connection_->js(), nullptr, &code);
    if (ns == NATS_NOT_FOUND) return Status::Ok();  // no stream at all
    if (ns != NATS_OK) return FromNats(ns, code, "listing streams");
    for (int i = 0; i < list->Count; ++i) {
      const jsStreamInfo* si = list->List[i];
      if (auto shard = ParseLogStreamName(options_.prefix, si->Config->Name)) {
        logs.push_back({*shard, si->Created / kNanosPerMs});
      }
    }
    jsStreamInfoList_Destroy(list);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::sort(logs.begin(), logs.end(), [](const LogInfo& a, const LogInfo& b) { return a.shard < b.shard; });
  return logs;
}

StatusOr<LogBounds> LogAdmin::Bounds(ShardKey shard) {
  auto info = Info(shard);
  if (!info.ok()) return info.status();
  auto end = EndOf(shard, **info);
  if (!end.ok()) return end.status();
  LogBounds bounds;
  bounds.end = *end;
  bounds.sealed = (*info)->Config->Sealed;
  bounds.first = (*info)->State.Msgs == 0 ? *end : CounterOf((*info)->State.FirstSeq + OffsetIn(**info), 0);
  bounds.first = std::min(std::max(bounds.first, HiddenBelow(shard)), bounds.end);
  return bounds;
}

StatusOr<uint64_t> LogAdmin::TrimBefore(ShardKey shard, int64_t cutoff_ms,
                                        const std::function<StatusOr<uint64_t>(ShardKey, int64_t)>& find) {
  auto info = Info(shard);
  if (!info.ok()) return info.status();
  auto end = EndOf(shard, **info);
  if (!end.ok()) return end.status();
  auto keep = find(shard, cutoff_ms);
  if (!keep.ok()) return keep.status();
  auto marker = EndMarker(shard);
  if (!marker.ok()) return marker.status();
  // The last record message; the marker and anything above it stay.
  const uint64_t last = *marker ? **marker - 1 : (*info)->State.LastSeq;
  const uint64_t purge_below = *keep >= *end ? last + 1 : StreamSequenceOf(OffsetIn(**info), *keep);
  bool sealed = (*info)->Config->Sealed;
  const std::string name = LogStreamName(options_.prefix, shard);
  if (!sealed && purge_below == last + 1 && (*info)->State.Msgs > 0 && last >= (*info)->State.FirstSeq) {
    // The last record message goes: write down the log's end first (EndAt).
    LogDescriptionFields fields =
        ParseLogDescription((*info)->Config->Description != nullptr ? (*info)->Config->Description : "")
            .value_or(LogDescriptionFields{});
    fields.end = *end;
    const std::string description = LogDescription(fields);
    jsStreamConfig cfg = *(*info)->Config;
    cfg.Description = description.c_str();
    // Refused when another node sealed the log meanwhile: then it is
    // trimmed as a sealed log (the prefix hidden, nothing purged).
    Status updated = UpdateConfig(cfg, "updating stream " + name);
    if (!updated.ok()) {
      if (!SealedElsewhere(shard)) return updated;
      sealed = true;
    }
  }
  Status s = sealed ? Status::Sealed("sealed") : Status::Ok();
  if (!sealed && purge_below > (*info)->State.FirstSeq && (*info)->State.Msgs > 0) {
    s = RetryUnavailable(options_.retry_budget_ms, [&] {
      jsOptions o;
      jsOptions_Init(&o);
      o.Stream.Purge.Sequence = purge_below;
      jsErrCode code = kNoCode;
      natsStatus ns = js_PurgeStream(connection_->js(), name.c_str(), &o, &code);
      return ns == NATS_OK ? Status::Ok() : FromNats(ns, code, "trimming " + name);
    });
    if (!s.ok() && s.code() != Errc::kSealed) return s;
  }
  if (s.code() == Errc::kSealed) {
    // A sealed stream refuses purges: hide the prefix from reads through
    // this node; core drops the whole log after its retention.
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t& hidden = hidden_below_[shard];
    hidden = std::max(hidden, *keep);
  }
  auto bounds = Bounds(shard);
  if (!bounds.ok()) return bounds.status();
  return bounds->first;
}

uint64_t LogAdmin::HiddenBelow(ShardKey shard) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = hidden_below_.find(shard);
  return it == hidden_below_.end() ? 0 : it->second;
}

}  // namespace riffle::store::jetstream
