#include "store/jetstream/appender.h"

#include <algorithm>
#include <span>

#include "store/codec/batch_codec.h"
#include "store/jetstream/names.h"
#include "store/jetstream/nats_ptr.h"
#include "store/jetstream/nats_status.h"

namespace riffle::store::jetstream {
namespace {

constexpr jsErrCode kNoCode = static_cast<jsErrCode>(0);
// Pause before retrying after "no responders" (a leader election takes seconds).
constexpr int64_t kNoRespondersPauseMs = 250;
// A retry answered "duplicate of a message not yet stored" waits this long.
constexpr int64_t kPendingDuplicatePauseMs = 100;
// How long the check for the log's existence after "no responders" waits: a
// log without a leader does not answer, and the executor thread that asks
// must not be held for a full request timeout (the append is retried next).
constexpr int64_t kLogCheckWaitMs = 500;
// Messages of a sealed log searched for a retried message id, at most.
constexpr uint64_t kMaxSealedSearch = 20000;
// Single-message appends of one log in flight at once through this node; the
// others wait and leave together (appender.h).
constexpr size_t kLaneDepth = 2;

}  // namespace

Appender::Appender(Connection* connection, Connection* publisher, Executor* executor, LogAdmin* admin,
                   EndFences* fences, const JetStreamOptions& options, std::function<void(ShardKey)> on_stored,
                   std::function<void(ShardKey)> on_message_stored)
    : connection_(connection),
      publisher_(publisher),
      executor_(executor),
      admin_(admin),
      fences_(fences),
      options_(options),
      on_stored_(std::move(on_stored)),
      on_message_stored_(std::move(on_message_stored)),
      max_payload_(publisher->max_payload()),
      max_value_(MaxValueBytesFor(max_payload_)) {}

void Appender::Append(std::vector<AppendBatch> batches, std::function<void(std::vector<AppendResult>)> done) {
  auto group = std::make_shared<Group>();
  group->batches = std::move(batches);
  group->done = std::move(done);
  group->results.resize(group->batches.size());
  if (group->batches.empty()) {
    group->done({});
    return;
  }
  group->remaining = group->batches.size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++active_groups_;
  }
  for (size_t i = 0; i < group->batches.size(); ++i) {
    const AppendBatch& batch = group->batches[i];
    AppendResult& result = group->results[i];
    result.arrival_ms = batch.arrival_ms;
    result.counters.assign(batch.entries.size(), 0);
    auto work = std::make_shared<Work>();
    work->group = group;
    work->index = i;
    work->subject = LogSubject(options_.prefix, batch.shard);
    auto chunks = SplitEntries(batch.entries, max_payload_);
    if (!chunks.ok()) {
      Finish(work, chunks.status());
      continue;
    }
    work->chunks = std::move(*chunks);
    if (auto offset = admin_->CachedOffset(batch.shard)) {
      work->offset = *offset;
      StartChunk(work, 0);
      continue;
    }
    // The first append to a log through this node learns its offset (and
    // whether it exists) on a store thread.
    executor_->Post([this, work] {
      auto offset = admin_->OffsetOf(BatchOf(*work).shard);
      if (!offset.ok()) return Finish(work, offset.status());
      work->offset = *offset;
      StartChunk(work, 0);
    });
  }
}

void Appender::StartChunk(const std::shared_ptr<Work>& work, size_t chunk) {
  work->started_ms = NowMs();
  if (work->chunks.size() > 1) return Publish({Part{work, chunk, 0}}, /*laned=*/false);
  for (const AppendEntry& e : BatchOf(*work).entries) work->bytes += codec::EncodedEntrySize(e);
  {
    std::lock_guard<std::mutex> lock(mu_);
    Lane& lane = lanes_[BatchOf(*work).shard];
    if (lane.in_flight >= kLaneDepth) {
      lane.waiting.push_back(work);
      return;
    }
    ++lane.in_flight;
  }
  Publish({Part{work, 0, 0}}, /*laned=*/true);
}

void Appender::Publish(std::vector<Part> parts, bool laned) {
  auto m = std::make_shared<Message>();
  m->shard = BatchOf(*parts.front().work).shard;
  m->laned = laned;
  m->arrival_ms = BatchOf(*parts.front().work).arrival_ms;
  m->first_sent_ms = NowMs();
  int64_t started_ms = m->first_sent_ms;
  std::vector<std::span<const AppendEntry>> spans;
  spans.reserve(parts.size());
  uint32_t first = 0;
  for (Part& p : parts) {
    const AppendBatch& batch = BatchOf(*p.work);
    const Chunk& c = p.work->chunks[p.chunk];
    p.first = first;
    first += static_cast<uint32_t>(c.end - c.begin);
    spans.push_back(std::span(batch.entries).subspan(c.begin, c.end - c.begin));
    // One arrival time per message: the latest of its appends' (stored
    // arrival times may be raised, never lowered; store.h).
    m->arrival_ms = std::max(m->arrival_ms, batch.arrival_ms);
    started_ms = std::min(started_ms, p.work->started_ms);
  }
  m->parts = std::move(parts);
  Status s = codec::EncodeBatchParts(m->arrival_ms, spans, &m->payload);
  if (!s.ok()) return FinishMessage(m, s);
  m->msg_id = publisher_->NextMsgId();
  // An append that waited in its lane has that much less of its budget.
  m->deadline_ms = started_ms + options_.retry_budget_ms;
  Send(m);
}

void Appender::ReleaseLane(const Message& m) {
  if (!m.laned) return;
  std::vector<Part> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = lanes_.find(m.shard);
    Lane& lane = it->second;
    uint64_t bytes = 0;
    uint64_t records = 0;
    size_t taken = 0;
    for (; taken < lane.waiting.size(); ++taken) {
      const std::shared_ptr<Work>& w = lane.waiting[taken];
      const uint64_t n = w->chunks.front().end - w->chunks.front().begin;
      if (taken > 0 && (bytes + w->bytes > max_value_ || records + n > kMaxRecordsPerMessage)) break;
      bytes += w->bytes;
      records += n;
      next.push_back(Part{w, 0, 0});
    }
    lane.waiting.erase(lane.waiting.begin(), lane.waiting.begin() + static_cast<std::ptrdiff_t>(taken));
    if (next.empty() && --lane.in_flight == 0) lanes_.erase(it);
  }
  if (!next.empty()) Publish(std::move(next), /*laned=*/true);  // keeps the place
}

void Appender::Send(const std::shared_ptr<Message>& m) {
  natsMsg* raw = nullptr;
  natsStatus s = natsMsg_Create(&raw, m->parts.front().work->subject.c_str(), nullptr, m->payload.data(),
                                static_cast<int>(m->payload.size()));
  if (s != NATS_OK) {
    FinishMessage(m, Status::StorageError("creating a NATS message failed"));
    return;
  }
  NatsPtr<natsMsg> msg(raw);
  jsPubOptions opts;
  jsPubOptions_Init(&opts);
  opts.MsgId = m->msg_id.c_str();
  opts.MaxWait = options_.request_timeout_ms;
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_[m->msg_id] = m;
  }
  natsMsg* handed = msg.release();
  s = js_PublishMsgAsync(publisher_->js(), &handed, &opts);
  msg.reset(handed);  // NULL when cnats took it
  if (s != NATS_OK) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_.erase(m->msg_id);
    }
    Failed(m, s, kNoCode);
  }
}

void Appender::OnAck(natsMsg* msg, jsPubAck* ack, jsPubAckErr* error) {
  NatsPtr<natsMsg> owned(msg);
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || id == nullptr) return;
  std::shared_ptr<Message> m;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) return;  // a late answer to an attempt already settled
    m = std::move(it->second);
    in_flight_.erase(it);
  }
  if (ack != nullptr && ack->Sequence == 0) {
    // nats-server can answer a retry whose id it has seen, but whose first
    // attempt is not applied yet (still being replicated, or lost with a
    // leader), as a duplicate at sequence 0 (later versions answer with an
    // error). No stored message has sequence 0: where or whether it is
    // stored is not known yet, so ask again.
    m->outcome_unknown = true;
    RetryLater(m, kPendingDuplicatePauseMs,
               Status::Unavailable("appending to " + LogStreamName(options_.prefix, m->shard) +
                                   ": an earlier attempt is not yet stored"));
  } else if (ack != nullptr) {
    Acknowledged(m, ack->Sequence);
  } else {
    Failed(m, error != nullptr ? error->Err : NATS_ERR, error != nullptr ? error->ErrCode : kNoCode);
  }
}

void Appender::Acknowledged(const std::shared_ptr<Message>& m, uint64_t sequence) {
  // The lane paces publishing: the next message may leave now.
  ReleaseLane(*m);
  m->laned = false;
  fences_->Place(m->shard, sequence, m->deadline_ms, [this, m, sequence](Status placed) {
    if (placed.ok()) return Stored(m, sequence);
    FinishMessage(m, placed);
  });
}

void Appender::Stored(const std::shared_ptr<Message>& m, uint64_t sequence) {
  ReleaseLane(*m);
  for (const Part& p : m->parts) {
    const Chunk& c = p.work->chunks[p.chunk];
    AppendResult& result = p.work->group->results[p.work->index];
    result.arrival_ms = m->arrival_ms;
    for (size_t i = c.begin; i < c.end; ++i) {
      result.counters[i] = CounterOf(sequence + p.work->offset, static_cast<uint32_t>(p.first + (i - c.begin)));
    }
    if (p.chunk + 1 < p.work->chunks.size()) {
      StartChunk(p.work, p.chunk + 1);
    } else {
      Finish(p.work, Status::Ok());
    }
  }
  if (on_message_stored_) on_message_stored_(m->shard);
}

void Appender::Failed(const std::shared_ptr<Message>& m, natsStatus s, jsErrCode code) {
  const std::string log = LogStreamName(options_.prefix, m->shard);
  Status why = FromNats(s, code, "appending to " + log);
  if (why.code() == Errc::kSealed) {
    if (m->outcome_unknown) {
      executor_->Post([this, m] { ResolveSealed(m); });
    } else {
      FinishMessage(m, why);
    }
    return;
  }
  if (why.code() != Errc::kUnavailable) {
    FinishMessage(m, why);
    return;
  }
  if (OutcomeUnknown(s, code)) {
    m->outcome_unknown = true;
    RetryLater(m, 0, why);
  } else if (NoResponders(s, code)) {
    // Either the stream has no leader now, or there is no such stream.
    executor_->PostAfter(kNoRespondersPauseMs, [this, m, why] { CheckLogThenRetry(m, why); });
  } else {
    RetryLater(m, kNoRespondersPauseMs, why);
  }
}

void Appender::RetryLater(const std::shared_ptr<Message>& m, int64_t delay_ms, const Status& why) {
  if (NowMs() + delay_ms >= m->deadline_ms) {
    FinishMessage(m, Status::Unavailable(why.message() + "; gave up after " +
                                        std::to_string(options_.retry_budget_ms) + " ms"));
    return;
  }
  executor_->PostAfter(delay_ms, [this, m] { Send(m); });
}

void Appender::CheckLogThenRetry(const std::shared_ptr<Message>& m, const Status& why) {
  const std::string name = LogStreamName(options_.prefix, m->shard);
  jsStreamInfo* si = nullptr;
  jsErrCode code = kNoCode;
  jsOptions opts;
  jsOptions_Init(&opts);
  opts.Wait = std::min<int64_t>(kLogCheckWaitMs, options_.request_timeout_ms);
  natsStatus s = js_GetStreamInfo(&si, connection_->js(), name.c_str(), &opts, &code);
  jsStreamInfo_Destroy(si);
  if (code == JSStreamNotFoundErr || (s == NATS_NOT_FOUND && code == kNoCode)) {
    FinishMessage(m, Status::NotFound("no log " + name));
    return;
  }
  RetryLater(m, 0, why);
}

void Appender::ResolveSealed(const std::shared_ptr<Message>& m) {
  // The log was sealed while an attempt of this message had an unknown
  // outcome: it is stored iff its id is in the sealed log, at a time after
  // its first attempt.
  const ShardKey shard = m->shard;
  const std::string name = LogStreamName(options_.prefix, shard);
  auto info = admin_->Info(shard);
  if (!info.ok()) {
    FinishMessage(m, Status::Unavailable("the outcome of an append racing the seal of " + name +
                                        " is unknown: " + info.status().message()));
    return;
  }
  const int64_t not_before_ns = (m->first_sent_ms - options_.arrival_skew_ms) * 1000 * 1000;
  const uint64_t first = (*info)->State.FirstSeq;
  uint64_t searched = 0;
  for (uint64_t seq = (*info)->State.LastSeq; seq >= first && seq > 0; --seq) {
    if (++searched > kMaxSealedSearch || NowMs() > m->deadline_ms + options_.retry_budget_ms) {
      FinishMessage(m, Status::Unavailable("the outcome of an append racing the seal of " + name + " is unknown"));
      return;
    }
    natsMsg* raw = nullptr;
    jsErrCode code = kNoCode;
    natsStatus s = js_GetMsg(&raw, connection_->js(), name.c_str(), seq, nullptr, &code);
    NatsPtr<natsMsg> msg(raw);
    if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr) continue;
    if (s != NATS_OK) {
      ++seq;  // retry this sequence (bounded by the search limits)
      continue;
    }
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg.get(), "Nats-Msg-Id", &id) == NATS_OK && id != nullptr && m->msg_id == id) {
      Acknowledged(m, seq);  // stored if below the end marker; a following chunk, if any, is refused
      return;
    }
    if (natsMsg_GetTime(msg.get()) < not_before_ns) break;
  }
  FinishMessage(m, Status::Sealed("log " + name + " is sealed"));
}

void Appender::FinishMessage(const std::shared_ptr<Message>& m, const Status& status) {
  ReleaseLane(*m);
  for (const Part& p : m->parts) Finish(p.work, status);
}

void Appender::Finish(const std::shared_ptr<Work>& work, Status status) {
  Group& group = *work->group;
  group.results[work->index].error = std::move(status);
  if (group.remaining.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::vector<ShardKey> stored;
  for (size_t i = 0; i < group.batches.size(); ++i) {
    AppendResult& result = group.results[i];
    const auto& counters = result.counters;
    if (!counters.empty() && counters.front() != 0) stored.push_back(group.batches[i].shard);
    // Entries a sealed or missing log refused go back to the caller, to be
    // routed elsewhere (store.h).
    const Errc code = result.error.code();
    if (code == Errc::kSealed || code == Errc::kResourceNotFound) {
      std::vector<AppendEntry>& entries = group.batches[i].entries;
      for (size_t k = 0; k < entries.size() && k < counters.size(); ++k) {
        if (counters[k] == 0) result.returned.push_back(std::move(entries[k]));
      }
    }
  }
  group.done(std::move(group.results));
  for (ShardKey shard : stored) on_stored_(shard);
  std::lock_guard<std::mutex> lock(mu_);
  if (--active_groups_ == 0) idle_cv_.notify_all();
}

void Appender::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return active_groups_ == 0; });
}

}  // namespace riffle::store::jetstream
