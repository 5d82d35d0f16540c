#include "store/jetstream/end_fences.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "store/jetstream/js_replies.h"
#include "store/jetstream/names.h"
#include "store/jetstream/nats_status.h"

namespace riffle::store::jetstream {
namespace {

// How long an acknowledgement with a gap below it waits for other nodes'
// acknowledgements before the leader is asked (which took 6-9 ms under load).
constexpr int64_t kGapWaitMs = 2;
// A leader that did not answer is asked again after this pause.
constexpr int64_t kUnansweredPauseMs = 250;
// How long one question to the leader waits.
constexpr int64_t kCheckWaitMs = 500;
// Known records above the clear sequence kept per log, at most (a gap that
// never fills, such as a marker, lets them pile up until the next check).
constexpr size_t kMaxRecordsKept = 4096;

}  // namespace

EndFences::EndFences(Connection* connection, Executor* executor, LogAdmin* admin, const JetStreamOptions& options)
    : connection_(connection), executor_(executor), admin_(admin), options_(options) {}

Status EndFences::Start() {
  natsSubscription* sub = nullptr;
  const std::string subject = AckInboxPrefix(options_.prefix) + ".>";
  natsStatus s = natsConnection_Subscribe(&sub, connection_->nc(), subject.c_str(), &EndFences::OnAcknowledgement, this);
  if (s != NATS_OK) return FromNats(s, static_cast<jsErrCode>(0), "subscribing to " + subject);
  sub_.reset(sub);
  return Status::Ok();
}

std::vector<EndFences::Waiting> EndFences::Fence::Advance(uint64_t record) {
  if (record > clear_through) {
    if (records.size() >= kMaxRecordsKept) records.clear();  // forgotten: a check clears them
    records.insert(record);
  }
  while (!records.empty() && *records.begin() <= clear_through + 1) {
    clear_through = std::max(clear_through, *records.begin());
    records.erase(records.begin());
  }
  std::vector<Waiting> covered;
  auto still = std::partition(waiting.begin(), waiting.end(),
                              [this](const Waiting& w) { return w.sequence > clear_through; });
  covered.assign(std::make_move_iterator(still), std::make_move_iterator(waiting.end()));
  waiting.erase(still, waiting.end());
  return covered;
}

void EndFences::Run(std::vector<Waiting>& placed, const Status& status) {
  for (Waiting& w : placed) w.done(status);
}

void EndFences::Place(ShardKey shard, uint64_t sequence, int64_t deadline_ms, std::function<void(Status)> done) {
  if (auto marker = admin_->CachedEndMarker(shard)) {
    return done(sequence < *marker ? Status::Ok()
                                   : Status::Sealed("log " + LogStreamName(options_.prefix, shard) + " is sealed"));
  }
  std::vector<Waiting> covered;
  bool check = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Fence& fence = fences_[shard];
    fence.waiting.push_back({sequence, deadline_ms, std::move(done)});
    covered = fence.Advance(sequence);
    check = !fence.waiting.empty() && !fence.checking;
    fence.checking |= check;
  }
  Run(covered, Status::Ok());
  if (check) executor_->PostAfter(kGapWaitMs, [this, shard] { Check(shard); });
}

void EndFences::Check(ShardKey shard) {
  uint64_t from = 0, asked = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Fence& fence = fences_[shard];
    if (fence.waiting.empty()) {
      fence.checking = false;
      return;
    }
    from = fence.clear_through + 1;
    for (const Waiting& w : fence.waiting) asked = std::max(asked, w.sequence);
  }
  // A leader whose log reaches `asked` holds every message below it: "no
  // marker from `from` on" covers every acknowledgement waiting now.
  auto marker =
      admin_->EndMarkerFrom(shard, from, asked, std::min<int64_t>(kCheckWaitMs, options_.request_timeout_ms));
  std::vector<Waiting> stored, sealed, failed;
  bool again = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Fence& fence = fences_[shard];
    if (marker.ok() && !*marker) {
      fence.clear_through = std::max(fence.clear_through, asked);
      stored = fence.Advance(0);
    } else if (marker.ok()) {
      for (Waiting& w : fence.waiting) (w.sequence < **marker ? stored : sealed).push_back(std::move(w));
      fence.waiting.clear();
    } else if (marker.status().code() != Errc::kUnavailable) {
      failed.swap(fence.waiting);
    } else {
      // Not answered (a leader election): asked again, within each budget.
      const int64_t now = NowMs();
      auto expired = std::partition(fence.waiting.begin(), fence.waiting.end(),
                                    [now](const Waiting& w) { return now < w.deadline_ms; });
      failed.assign(std::make_move_iterator(expired), std::make_move_iterator(fence.waiting.end()));
      fence.waiting.erase(expired, fence.waiting.end());
    }
    // What arrived meanwhile (or was not answered) is asked about next.
    again = fence.checking = !fence.waiting.empty();
  }
  Run(stored, Status::Ok());
  Run(sealed, Status::Sealed("log " + LogStreamName(options_.prefix, shard) + " is sealed"));
  if (!failed.empty()) {
    Run(failed, marker.status().code() != Errc::kUnavailable
                    ? marker.status()
                    : Status::Unavailable(marker.status().message() + "; gave up after " +
                                          std::to_string(options_.retry_budget_ms) + " ms"));
  }
  if (again) executor_->PostAfter(marker.ok() ? kGapWaitMs : kUnansweredPauseMs, [this, shard] { Check(shard); });
}

void EndFences::OnAcknowledgement(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<EndFences*>(closure);
  NatsPtr<natsMsg> owned(msg);
  auto ack = ParsePubAck(std::string_view(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))));
  if (!ack) return;
  auto shard = ParseLogStreamName(self->options_.prefix, ack->stream);
  if (!shard) return;
  std::vector<Waiting> covered;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    auto it = self->fences_.find(*shard);
    if (it == self->fences_.end()) return;  // a log this node does not append to
    covered = it->second.Advance(ack->seq);
  }
  Run(covered, Status::Ok());
}

}  // namespace riffle::store::jetstream
