#include "store/jetstream/reader.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

#include "store/jetstream/leader_read.h"
#include "store/jetstream/names.h"
#include "store/jetstream/nats_status.h"
#include "store/jetstream/record_message.h"

namespace riffle::store::jetstream {
namespace {

constexpr jsErrCode kNoCode = static_cast<jsErrCode>(0);
constexpr int64_t kNanosPerMs = 1000 * 1000;
constexpr int kMaxFetchMessages = 256;
// A pull request unanswered this long is sent again, at most kPullAttempts times.
constexpr int64_t kPullWaitMs = 500;
constexpr int kPullAttempts = 4;
// How long a read waits for the consumer's replica to catch up with the
// leader before it gives up with kUnavailable: 5 ms, doubling to 100 ms, for
// about 2 s in all. A replica is usually a few milliseconds behind the
// acknowledgement (a read woken by an append through this node asks at
// once), so the first waits are short.
constexpr int kLagWaits = 25;
constexpr int64_t kFirstLagWaitMs = 5;
constexpr int64_t kLagWaitMs = 100;
// Consumers a read is tried through before it is read from the leader.
constexpr int kPlacements = 3;
// The server deletes a consumer idle this long; the pool drops it earlier.
constexpr int64_t kInactiveMs = 60 * 1000;
// Bytes all of a node's cursors may have asked for ahead of their next read.
constexpr int64_t kReadAheadBytes = 64 << 20;

std::string_view Payload(natsMsg* m) {
  return {natsMsg_GetData(m), static_cast<size_t>(natsMsg_GetDataLength(m))};
}

// Stream sequence and pending count of a message delivered by a consumer.
bool MetaOf(natsMsg* m, uint64_t* sequence, uint64_t* pending) {
  jsMsgMetaData* raw = nullptr;
  if (natsMsg_GetMetaData(&raw, m) != NATS_OK) return false;
  NatsPtr<jsMsgMetaData> meta(raw);
  *sequence = meta->Sequence.Stream;
  *pending = meta->NumPending;
  return true;
}

}  // namespace

Reader::Cursor::~Cursor() {
  if (budget != nullptr) budget->fetch_add(ahead_bytes);
}

uint64_t Reader::Cursor::position() const {
  return buffered.empty() ? next_seq : buffered.front().seq;
}

Reader::Reader(Connection* connection, Executor* executor, LogAdmin* admin, const JetStreamOptions& options)
    : connection_(connection), executor_(executor), admin_(admin), options_(options), ahead_budget_(kReadAheadBytes) {}

Reader::~Reader() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();
}

void Reader::Read(ShardKey shard, uint64_t from, ReadLimits limits, std::function<void(StatusOr<LogRead>)> done) {
  executor_->Post([this, shard, from, limits, done = std::move(done)] { done(ReadNow(shard, from, limits)); });
}

StatusOr<Reader::CursorPtr> Reader::Checkout(ShardKey shard, uint64_t seq, uint64_t from, bool* created) {
  *created = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find({shard, seq});
    if (it == idle_.end()) {
      it = idle_.find({shard, seq + 1});
      if (it != idle_.end() && (it->second->last_seq != seq || it->second->last_end > from)) it = idle_.end();
    }
    if (it != idle_.end()) {
      CursorPtr cursor = std::move(it->second);
      idle_.erase(it);
      if (NowMs() - cursor->last_used_ms < kInactiveMs / 2) return cursor;
    }
  }
  *created = true;
  return NewCursor(shard, Start::kSequence, seq, 0);
}

StatusOr<uint64_t> Reader::EndAtMarker(const Cursor& cursor, uint64_t marker) {
  if (cursor.last_seq != 0 && cursor.last_seq + 1 == marker) return cursor.last_end;
  auto bounds = admin_->Bounds(cursor.shard);
  if (!bounds.ok()) return bounds.status();
  return bounds->end;
}

StatusOr<Reader::CursorPtr> Reader::NewCursor(ShardKey shard, Start start, uint64_t seq, int64_t time_ms) {
  const std::string stream = LogStreamName(options_.prefix, shard);
  auto cursor = std::make_unique<Cursor>();
  cursor->shard = shard;
  cursor->next_seq = start == Start::kSequence ? seq : 0;
  Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
    jsConsumerConfig cfg;
    jsConsumerConfig_Init(&cfg);
    if (start == Start::kSequence) {
      cfg.DeliverPolicy = js_DeliverByStartSequence;
      cfg.OptStartSeq = seq;
    } else if (time_ms > 0) {
      cfg.DeliverPolicy = js_DeliverByStartTime;
      cfg.OptStartTime = time_ms * kNanosPerMs;
    } else {
      cfg.DeliverPolicy = js_DeliverAll;  // a start time of 0 reads as none (error 10094)
    }
    cfg.AckPolicy = js_AckNone;
    cfg.InactiveThreshold = kInactiveMs * kNanosPerMs;
    cfg.MemoryStorage = true;
    cfg.Replicas = 1;
    jsConsumerInfo* ci = nullptr;
    jsErrCode code = kNoCode;
    natsStatus ns = js_AddConsumer(&ci, connection_->js(), stream.c_str(), &cfg, nullptr, &code);
    if (ns != NATS_OK) {
      jsConsumerInfo_Destroy(ci);
      if (ns == NATS_NOT_FOUND && code == kNoCode) code = JSStreamNotFoundErr;
      return FromNats(ns, code, "reading " + stream);
    }
    cursor->next_subject = "$JS.API.CONSUMER.MSG.NEXT." + stream + "." + ci->Name;
    jsConsumerInfo_Destroy(ci);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  natsInbox* inbox = nullptr;
  natsSubscription* sub = nullptr;
  if (natsInbox_Create(&inbox) != NATS_OK) return Status::StorageError("creating an inbox failed");
  cursor->inbox = inbox;
  natsInbox_Destroy(inbox);
  natsStatus ns = natsConnection_SubscribeSync(&sub, connection_->nc(), (cursor->inbox + ".*").c_str());
  if (ns != NATS_OK) return FromNats(ns, kNoCode, "subscribing for reads of " + stream);
  cursor->sub.reset(sub);
  cursor->last_used_ms = NowMs();
  cursor->budget = &ahead_budget_;
  return cursor;
}

void Reader::Return(CursorPtr cursor) {
  cursor->last_used_ms = NowMs();
  std::vector<CursorPtr> evicted;  // destroyed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t position = cursor->position();
  idle_.emplace(std::make_pair(cursor->shard, position), std::move(cursor));
  while (idle_.size() > static_cast<size_t>(std::max(options_.max_read_consumers, 0))) {
    auto oldest = std::min_element(idle_.begin(), idle_.end(), [](const auto& a, const auto& b) {
      return a.second->last_used_ms < b.second->last_used_ms;
    });
    evicted.push_back(std::move(oldest->second));
    idle_.erase(oldest);
  }
}

void Reader::Forget(ShardKey shard) {
  std::vector<CursorPtr> gone;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (it->first.first == shard) {
      gone.push_back(std::move(it->second));
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
}

Status Reader::Fetch(Cursor& cursor, int batch, int64_t max_bytes) {
  // A request can vanish: right after a consumer is created, the server this
  // node talks to may not know yet where the consumer listens. Unanswered
  // requests are sent again.
  for (int attempt = 0;; ++attempt) {
    auto answered = Pull(cursor, batch, max_bytes);
    if (!answered.ok() || *answered || attempt == kPullAttempts - 1) {
      if (answered.ok() && !*answered) {
        return Status::Unavailable("fetching from " + LogStreamName(options_.prefix, cursor.shard) + ": no answer");
      }
      return answered.status();
    }
  }
}

StatusOr<bool> Reader::Pull(Cursor& cursor, int batch, int64_t max_bytes) {
  // The server refuses a request whose first message is larger than max_bytes.
  max_bytes = std::max<int64_t>(max_bytes, connection_->max_payload() + 1024);
  const std::string what = "fetching from " + LogStreamName(options_.prefix, cursor.shard);
  natsStatus s = NATS_OK;
  std::string reply;
  if (cursor.ahead != 0) {
    // The request sent ahead is this one: its messages come first anyway.
    reply = cursor.inbox + "." + std::to_string(cursor.ahead);
    batch = std::max(batch, kMaxFetchMessages);
    cursor.ahead = 0;
    cursor.budget->fetch_add(cursor.ahead_bytes);
    cursor.ahead_bytes = 0;
  } else {
    const std::string request = "{\"batch\":" + std::to_string(batch) + ",\"max_bytes\":" +
                                std::to_string(max_bytes) + ",\"no_wait\":true}";
    reply = cursor.inbox + "." + std::to_string(++cursor.requests);
    s = natsConnection_PublishRequest(connection_->nc(), cursor.next_subject.c_str(), reply.c_str(), request.data(),
                                      static_cast<int>(request.size()));
    if (s != NATS_OK) return FromNats(s, kNoCode, what);
  }
  // The answer: up to `batch` messages, then (unless the batch was filled)
  // a status: 404 none left, 408 expired, 409 a limit or the consumer gone.
  for (int got = 0; got < batch;) {
    natsMsg* raw = nullptr;
    s = natsSubscription_NextMsg(&raw, cursor.sub.get(), kPullWaitMs);
    if (s == NATS_TIMEOUT) return got > 0;
    if (s != NATS_OK) return FromNats(s, kNoCode, what);
    NatsPtr<natsMsg> msg(raw);
    // Answers to an earlier request (its late status, or messages after an
    // early return) arrive here too: their messages are still the
    // consumer's next ones, their statuses end nothing now.
    const bool current = reply == natsMsg_GetSubject(raw);
    const char* status = nullptr;
    if (natsMsgHeader_Get(raw, "Status", &status) == NATS_OK && status != nullptr) {
      if (!current) continue;
      if (std::strncmp(status, "404", 3) == 0 || std::strncmp(status, "408", 3) == 0) return true;
      if (std::strncmp(status, "409", 3) == 0 && natsMsg_GetDataLength(raw) == 0) {
        const char* description = nullptr;
        natsMsgHeader_Get(raw, "Description", &description);
        // "Message Size Exceeds MaxBytes" ends a request early; anything else
        // (the consumer was deleted) needs a new consumer.
        if (description != nullptr && std::strstr(description, "MaxBytes") != nullptr) return true;
        return Status::Unavailable(what + ": " + (description != nullptr ? description : status));
      }
      if (std::strncmp(status, "100", 3) == 0) continue;  // heartbeat
      return Status::Unavailable(what + ": status " + status);
    }
    uint64_t seq = 0, pending = 0;
    if (!MetaOf(raw, &seq, &pending)) continue;  // not a consumer delivery
    if (seq < cursor.next_seq) continue;  // a late answer to an earlier request, already read
    cursor.next_seq = seq + 1;
    cursor.pending = pending;
    cursor.buffered.push_back({seq, pending, std::shared_ptr<natsMsg>(msg.release(), NatsDeleter())});
    ++got;
    if (pending == 0) return true;  // nothing more now: no need to wait for the status
  }
  return true;
}

void Reader::ReadAhead(Cursor& cursor, int64_t max_bytes) {
  max_bytes = std::max<int64_t>(max_bytes, connection_->max_payload() + 1024);
  if (cursor.ahead != 0 || cursor.pending == 0 || cursor.buffered.size() > 1) return;
  if (cursor.budget->fetch_sub(max_bytes) < max_bytes) {
    cursor.budget->fetch_add(max_bytes);
    return;
  }
  const std::string request = "{\"batch\":" + std::to_string(kMaxFetchMessages) + ",\"max_bytes\":" +
                              std::to_string(max_bytes) + ",\"no_wait\":true}";
  const std::string reply = cursor.inbox + "." + std::to_string(cursor.requests + 1);
  if (natsConnection_PublishRequest(connection_->nc(), cursor.next_subject.c_str(), reply.c_str(), request.data(),
                                    static_cast<int>(request.size())) != NATS_OK) {
    cursor.budget->fetch_add(max_bytes);
    return;  // the next read asks itself
  }
  cursor.ahead = ++cursor.requests;
  cursor.ahead_bytes = max_bytes;
}

StatusOr<bool> Reader::CaughtUp(Cursor& cursor, NatsPtr<jsStreamInfo>* info) {
  auto got = admin_->Info(cursor.shard);
  if (!got.ok()) return got.status();
  *info = std::move(*got);
  const jsStreamState& state = (*info)->State;
  for (int i = 0; i < kLagWaits; ++i) {
    if (!cursor.buffered.empty()) return false;
    if (state.Msgs == 0 || cursor.next_seq > state.LastSeq) return true;
    // Not a fetch that waits: cnats 3.4.1 overruns the message list of a
    // fetch with an expiry that ends with messages and a timeout (ASan).
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(kFirstLagWaitMs << (i - 1), kLagWaitMs)));
    RIFFLE_RETURN_IF_ERROR(Fetch(cursor, kMaxFetchMessages, 0));
  }
  if (!cursor.buffered.empty()) return false;
  cursor.suspect = true;
  return Status::Unavailable("the replica serving reads of " + LogStreamName(options_.prefix, cursor.shard) +
                             " lags its leader");
}

StatusOr<LogRead> Reader::ReadNow(ShardKey shard, uint64_t from, const ReadLimits& limits) {
  // A read through a consumer whose replica disagrees with the leader, or
  // lags it, is read again through a new consumer (placed anew), and at
  // last from the leader itself (leader_read.h).
  for (int attempt = 0; attempt < kPlacements; ++attempt) {
    bool suspect = false;
    auto read = ReadThroughConsumer(shard, from, limits, /*fresh=*/attempt > 0, &suspect);
    if (read.ok() || !suspect) return read;
  }
  return ReadFromLeader(*connection_, *admin_, options_, shard, from, limits);
}

StatusOr<LogRead> Reader::ReadThroughConsumer(ShardKey shard, uint64_t from, const ReadLimits& limits, bool fresh,
                                              bool* suspect) {
  auto offset_or = admin_->OffsetOf(shard);
  if (!offset_or.ok()) return offset_or.status();
  const uint64_t offset = *offset_or;
  from = std::max(from, admin_->HiddenBelow(shard));
  const uint64_t start_seq = StreamSequenceOf(offset, from);
  bool created = fresh;
  auto checked_out = fresh ? NewCursor(shard, Start::kSequence, start_seq, 0) : Checkout(shard, start_seq, from, &created);
  if (!checked_out.ok()) return checked_out.status();
  CursorPtr cursor = std::move(*checked_out);
  if (created && start_seq > 1) {
    // A new cursor may start above the end marker (a position no read
    // returned): it would deliver messages that are not the log's.
    auto marker = admin_->EndMarker(shard);
    if (!marker.ok()) return marker.status();
    if (*marker && start_seq > **marker) {
      auto bounds = admin_->Bounds(shard);
      if (!bounds.ok()) return bounds.status();
      return LogRead{{}, std::max(from, bounds->end), true};
    }
  }
  // The last message this read used, to be checked against the leader: its
  // sequence, and the message itself once taken off the cursor (its id is
  // read once, at the end, not for every message).
  uint64_t used_seq = 0;
  std::shared_ptr<natsMsg> used;
  LogRead out;
  out.next = from;
  out.at_end = false;
  uint64_t bytes = 0;
  bool fetched_again = false;
  bool drained = false;  // the consumer said nothing more was pending
  while (true) {
    if (cursor->buffered.empty() && !drained) {
      const uint64_t want = limits.max_records > out.records.size() ? limits.max_records - out.records.size() : 1;
      Status s = Fetch(*cursor, static_cast<int>(std::min<uint64_t>(want, kMaxFetchMessages)),
                       static_cast<int64_t>(limits.max_bytes - std::min(bytes, limits.max_bytes)));
      if (!s.ok()) {
        // The consumer may be gone (its server restarted): start a new one once.
        if (fetched_again) return s;
        fetched_again = true;
        auto fresh = NewCursor(shard, Start::kSequence, StreamSequenceOf(offset, out.next), 0);
        if (!fresh.ok()) return fresh.status();
        cursor = std::move(*fresh);
        continue;
      }
    }
    if (cursor->buffered.empty()) {
      NatsPtr<jsStreamInfo> info;
      auto caught_up = CaughtUp(*cursor, &info);
      if (!caught_up.ok()) {
        *suspect = cursor->suspect;
        return caught_up.status();
      }
      drained = false;
      if (!*caught_up) continue;
      out.at_end = true;
      if (cursor->last_seq != 0 && cursor->last_seq == info->State.LastSeq) {
        out.next = std::max(out.next, cursor->last_end);
      } else if (SequenceOf(out.next) <= info->State.LastSeq + offset) {
        auto end = admin_->EndOf(shard, *info);
        if (!end.ok()) return end.status();
        out.next = std::max(out.next, *end);
      }
      break;
    }
    natsMsg* m = cursor->buffered.front().msg.get();
    const uint64_t seq = cursor->buffered.front().seq, pending = cursor->buffered.front().pending;
    if (IsLogEndSubject(natsMsg_GetSubject(m))) {
      // The end marker stays at the cursor's front; it is checked against
      // the leader below like a message read.
      auto end = EndAtMarker(*cursor, seq);
      if (!end.ok()) return end.status();
      out.next = std::max(out.next, *end);
      out.at_end = true;
      used_seq = seq;
      break;
    }
    auto r = ReadMessage(seq + offset, Payload(m), out.next, limits, &bytes, &out.records,
                         cursor->buffered.front().msg);
    if (!r.ok()) return r.status();
    used_seq = seq;
    out.next = r->next;
    if (!r->complete) break;  // the limits were reached inside this message
    used = std::move(cursor->buffered.front().msg);
    cursor->buffered.pop_front();
    cursor->last_seq = seq;
    cursor->last_end = r->message_end;
    drained = pending == 0 && cursor->buffered.empty();
    if (out.records.size() >= limits.max_records || bytes >= limits.max_bytes) break;
  }
  if (used_seq != 0) {
    // Read inside a message that stays at the cursor's front, or taken off.
    const bool inside = !cursor->buffered.empty() && cursor->buffered.front().seq == used_seq;
    natsMsg* last = inside ? cursor->buffered.front().msg.get() : used.get();
    auto agrees = LeaderAgrees(*connection_, options_, shard, used_seq, MessageIdOf(last));
    if (!agrees.ok()) return agrees.status();
    if (!*agrees) {
      *suspect = true;  // the cursor goes: its replica numbers messages differently
      return Status::Unavailable("a replica of " + LogStreamName(options_.prefix, shard) + " disagrees with its leader");
    }
  }
  if (!out.at_end && !drained) ReadAhead(*cursor, static_cast<int64_t>(limits.max_bytes));
  Return(std::move(cursor));
  return out;
}

StatusOr<uint64_t> Reader::FindByArrival(ShardKey shard, int64_t ms) {
  StatusOr<uint64_t> found = Status::Unavailable("");
  for (int attempt = 0; attempt < kPlacements; ++attempt) {
    bool suspect = false;
    found = FindByArrivalOnce(shard, ms, &suspect);
    if (found.ok() || !suspect) break;
  }
  return found;
}

StatusOr<uint64_t> Reader::FindByArrivalOnce(ShardKey shard, int64_t ms, bool* suspect) {
  auto offset = admin_->OffsetOf(shard);
  if (!offset.ok()) return offset.status();
  auto made = NewCursor(shard, Start::kTime, 0, ms - options_.arrival_skew_ms);
  if (!made.ok()) return made.status();
  CursorPtr cursor = std::move(*made);
  const uint64_t hidden = admin_->HiddenBelow(shard);
  while (true) {
    if (cursor->buffered.empty()) RIFFLE_RETURN_IF_ERROR(Fetch(*cursor, kMaxFetchMessages, 0));
    if (cursor->buffered.empty()) {
      NatsPtr<jsStreamInfo> info;
      auto caught_up = CaughtUp(*cursor, &info);
      if (!caught_up.ok()) {
        *suspect = cursor->suspect;
        return caught_up.status();
      }
      if (!*caught_up) continue;
      return admin_->EndOf(shard, *info);
    }
    natsMsg* m = cursor->buffered.front().msg.get();
    const uint64_t seq = cursor->buffered.front().seq;
    const bool marker = IsLogEndSubject(natsMsg_GetSubject(m));
    StatusOr<MessageHeader> header = MessageHeader{};
    if (!marker) header = PeekMessage(Payload(m));
    if (!header.ok()) return header.status();
    const uint64_t message_end = CounterOf(seq + *offset, header->record_count);
    if (marker || (header->arrival_ms >= ms && message_end > hidden)) {
      auto agrees = LeaderAgrees(*connection_, options_, shard, seq, MessageIdOf(m));
      if (!agrees.ok()) return agrees.status();
      if (!*agrees) {
        *suspect = true;
        return Status::Unavailable("a replica of " + LogStreamName(options_.prefix, shard) +
                                   " disagrees with its leader");
      }
      if (marker) {  // no record at or after `ms`: the end
        auto end = EndAtMarker(*cursor, seq);
        if (!end.ok()) return end.status();
        return std::max(*end, hidden);
      }
      Return(std::move(cursor));  // positioned at `seq`, where a read is likely to start
      return std::max(CounterOf(seq + *offset, 0), hidden);
    }
    cursor->buffered.pop_front();
    cursor->last_seq = seq;
    cursor->last_end = message_end;
  }
}

}  // namespace riffle::store::jetstream
