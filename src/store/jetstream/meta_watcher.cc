#include "store/jetstream/meta_watcher.h"

#include <chrono>

#include "store/jetstream/names.h"
#include "store/jetstream/nats_ptr.h"
#include "store/jetstream/nats_status.h"

namespace riffle::store::jetstream {
namespace {

constexpr int64_t kPollMs = 200;
constexpr jsErrCode kNoCode = static_cast<jsErrCode>(0);

}  // namespace

MetaWatcher::MetaWatcher(MetaStore* meta, const JetStreamOptions& options) : meta_(meta), options_(options) {}

MetaWatcher::~MetaWatcher() { Stop(); }

Status MetaWatcher::Start(std::function<void(const MetaChange&)> observer) {
  observer_ = std::move(observer);
  std::vector<NatsPtr<kvWatcher>> watchers;
  for (bool ephemeral : {false, true}) {
    kvWatcher* raw = nullptr;
    Status s = RetryUnavailable(options_.retry_budget_ms, [&] {
      natsStatus ns = kvStore_WatchAll(&raw, meta_->bucket(ephemeral), nullptr);
      return ns == NATS_OK ? Status::Ok() : FromNats(ns, kNoCode, "watching metadata");
    });
    if (!s.ok()) return s;
    watchers.emplace_back(raw);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
  }
  for (bool ephemeral : {false, true}) {
    kvWatcher* w = watchers[ephemeral ? 1 : 0].release();
    threads_.emplace_back([this, ephemeral, w] { Follow(ephemeral, w); });
  }
  return Status::Ok();
}

void MetaWatcher::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void MetaWatcher::Follow(bool ephemeral, kvWatcher* raw) {
  NatsPtr<kvWatcher> watcher(raw);
  while (!stop_) {
    kvEntry* e = nullptr;
    natsStatus s = kvWatcher_Next(&e, watcher.get(), kPollMs);
    if (ephemeral) ExpireLeases();
    if (s != NATS_OK || e == nullptr) continue;  // timeout, or the end of the initial values
    NatsPtr<kvEntry> entry(e);
    auto key = DecodeKey(kvEntry_Key(e));
    std::lock_guard<std::mutex> lock(mu_);
    seen_[ephemeral ? 1 : 0] = std::max(seen_[ephemeral ? 1 : 0], kvEntry_Revision(e));
    seen_cv_.notify_all();
    if (!key) continue;  // a subject no key encodes to
    MetaChange change;
    change.key = std::move(*key);
    change.revision = kvEntry_Revision(e);
    change.ephemeral = ephemeral;
    if (kvEntry_Operation(e) == kvOp_Put) {
      change.value.emplace(static_cast<const char*>(kvEntry_Value(e)), static_cast<size_t>(kvEntry_ValueLen(e)));
    }
    if (ephemeral) {
      if (change.value) {
        leases_[change.key] = {change.revision, kvEntry_Created(e) / (1000 * 1000)};
      } else {
        leases_.erase(change.key);
      }
    }
    Deliver(std::move(change));
  }
}

void MetaWatcher::ExpireLeases() {
  const int64_t now = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (now - it->second.second < options_.ephemeral_ttl_ms) {
      ++it;
      continue;
    }
    // Aged out of the lease bucket (no message says so): reported with the
    // revision of the write that expired.
    Deliver(MetaChange{it->first, std::nullopt, it->second.first, true});
    it = leases_.erase(it);
  }
}

void MetaWatcher::Deliver(MetaChange change) {
  auto held = writing_.find({change.ephemeral, change.key});
  if (held != writing_.end()) {
    held_[{change.ephemeral, change.key}].push_back(std::move(change));
    return;
  }
  if (observer_) observer_(change);
}

void MetaWatcher::BeginWrite(bool ephemeral, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  ++writing_[{ephemeral, key}];
}

void MetaWatcher::EndWrite(bool ephemeral, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = writing_.find({ephemeral, key});
  if (it == writing_.end() || --it->second > 0) return;
  writing_.erase(it);
  auto held = held_.find({ephemeral, key});
  if (held == held_.end()) return;
  std::vector<MetaChange> changes = std::move(held->second);
  held_.erase(held);
  for (MetaChange& c : changes) Deliver(std::move(c));
  seen_cv_.notify_all();
}

Status MetaWatcher::Sync() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) return Status::Ok();
  }
  for (bool ephemeral : {false, true}) {
    const int64_t deadline = NowMs() + options_.retry_budget_ms;
    while (true) {
      uint64_t first = 0;
      auto last = meta_->LastRevision(ephemeral, &first);
      if (!last.ok()) return last.status();
      if (!*last || first > **last) break;  // nothing to wait for
      std::unique_lock<std::mutex> lock(mu_);
      const int slot = ephemeral ? 1 : 0;
      // Seen, and not held back behind a write of this node still running.
      auto observed = [&] {
        if (seen_[slot] < **last) return false;
        for (const auto& [key, changes] : held_) {
          if (key.first == ephemeral && !changes.empty() && changes.front().revision <= **last) return false;
        }
        return true;
      };
      if (seen_cv_.wait_for(lock, std::chrono::milliseconds(500), observed)) break;
      // Not seen yet: the message may have aged out meanwhile (leases); ask again.
      if (NowMs() > deadline) return Status::Unavailable("the metadata feed lags its stream");
    }
  }
  return Status::Ok();
}

}  // namespace riffle::store::jetstream
