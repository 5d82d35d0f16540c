// FakeStore: a synchronous in-memory Store for core unit tests (not part
// of the library; only *_test.cc files include it). Every callback runs
// inline, before the call returns; revisions come from one counter. Several
// StreamServices may share one FakeStore to play the nodes of a cluster:
// each one's observers are kept (every node hears every change).
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"

namespace riffle::core {

class FakeStore final : public store::Store {
 public:
  // Runs at the start of every CreateLog (e.g. to let time pass while a log is created).
  std::function<void()> on_create_log;
  // When set, a CreateLog answers what this returns when it is not ok, and
  // creates nothing (a store failing, or a cluster store losing a race).
  std::function<Status(store::ShardKey)> create_log_fault;
  // When set, a Read computes its result at once but hands `finish` (which
  // reports it) to this instead of reporting it: a read left in flight.
  std::function<void(std::function<void()> finish)> hold_read;

  // --- metadata ---
  StatusOr<std::vector<store::MetaEntry>> ScanMeta(const std::string& prefix) override {
    std::lock_guard lock(mu_);
    std::vector<store::MetaEntry> out;
    for (auto& [k, v] : meta_) {
      if (k.rfind(prefix, 0) == 0) out.push_back({k, v.first, v.second});
    }
    return out;
  }
  StatusOr<std::optional<store::MetaEntry>> GetMeta(const std::string& key, bool ephemeral) override {
    std::lock_guard lock(mu_);
    auto& map = ephemeral ? ephemeral_ : meta_;
    auto it = map.find(key);
    if (it == map.end()) return std::optional<store::MetaEntry>();
    return std::optional<store::MetaEntry>(store::MetaEntry{key, it->second.first, it->second.second});
  }
  void WriteMeta(store::MetaWrite write, std::function<void(StatusOr<uint64_t>)> done) override {
    store::MetaChange change;
    {
      std::lock_guard lock(mu_);
      auto& map = write.ephemeral ? ephemeral_ : meta_;
      auto it = map.find(write.key);
      const bool exists = it != map.end();
      const bool expected = write.expected_revision == store::kAnyRevision ||
                            (write.expected_revision == store::kMustNotExist ? !exists
                                                                             : exists && it->second.second ==
                                                                                             write.expected_revision);
      if (!expected) {
        done(Status::Conflict("conflict"));
        return;
      }
      const uint64_t revision = ++revision_;
      if (write.value) {
        map[write.key] = {*write.value, revision};
      } else if (exists) {
        map.erase(it);
      }
      change = {write.key, write.value, revision, write.ephemeral};
      ++meta_writes_;
    }
    done(change.revision);
    for (auto& observer : observers_) {
      if (observer) observer(change);
    }
  }
  // A service opened on this store directly replaces the observer of the one
  // before it (as with the real stores); FakeNodes add one each.
  void SetMetaObserver(std::function<void(const store::MetaChange&)> observer) override {
    if (observers_.empty()) observers_.emplace_back();
    observers_[0] = std::move(observer);
  }
  void AddMetaObserver(std::function<void(const store::MetaChange&)> observer) {
    if (observers_.empty()) observers_.emplace_back();
    observers_.push_back(std::move(observer));
  }
  Status SyncMeta() override { return Status::Ok(); }

  // --- logs ---
  Status CreateLog(store::ShardKey shard, const store::LogOptions& options) override {
    if (on_create_log) on_create_log();
    if (create_log_fault) {
      if (Status fault = create_log_fault(shard); !fault.ok()) return fault;
    }
    std::lock_guard lock(mu_);
    Log& log = logs_[Key(shard)];
    if (!log.exists) {
      log.exists = true;
      log.next = options.first_counter;
    } else if (log.records.empty() && !log.sealed) {
      log.next = std::max(log.next, options.first_counter);
    }
    return Status::Ok();
  }
  StatusOr<uint64_t> SealLog(store::ShardKey shard) override {
    std::lock_guard lock(mu_);
    auto it = logs_.find(Key(shard));
    if (it == logs_.end() || !it->second.exists) return Status::NotFound("no log");
    it->second.sealed = true;
    return it->second.next;
  }
  Status DropLog(store::ShardKey shard) override {
    std::lock_guard lock(mu_);
    logs_.erase(Key(shard));
    return Status::Ok();
  }
  StatusOr<std::vector<store::LogInfo>> ListLogs() override {
    std::lock_guard lock(mu_);
    std::vector<store::LogInfo> out;
    for (auto& [key, log] : logs_) out.push_back({{key.first, key.second}, 0});
    return out;
  }
  void Append(std::vector<store::AppendBatch> batches,
              std::function<void(std::vector<store::AppendResult>)> done) override {
    std::vector<store::AppendResult> results(batches.size());
    std::vector<store::ShardKey> appended;
    {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < batches.size(); ++i) {
        store::AppendBatch& batch = batches[i];
        store::AppendResult& result = results[i];
        result.counters.assign(batch.entries.size(), 0);
        auto it = logs_.find(Key(batch.shard));
        if (fail_appends_) {
          result.error = Status::StorageError("injected failure");
          continue;
        }
        if (it == logs_.end() || !it->second.exists) {
          result.error = Status::NotFound("no log");
          result.returned = std::move(batch.entries);
          continue;
        }
        Log& log = it->second;
        if (log.sealed) {
          result.error = Status::Sealed("sealed");
          result.returned = std::move(batch.entries);
          continue;
        }
        log.last_arrival = std::max(log.last_arrival, batch.arrival_ms);
        result.arrival_ms = log.last_arrival;
        for (size_t k = 0; k < batch.entries.size(); ++k) {
          result.counters[k] = log.next;
          log.records[log.next] = {log.last_arrival, batch.entries[k].partition_key, batch.entries[k].data};
          ++log.next;
        }
        appended.push_back(batch.shard);
      }
    }
    done(std::move(results));
    for (auto& observer : append_observers_) {
      if (!observer) continue;
      for (store::ShardKey shard : appended) observer(shard);
    }
  }
  void Read(store::ShardKey shard, uint64_t from, store::ReadLimits limits,
            std::function<void(StatusOr<store::LogRead>)> done) override {
    std::unique_lock lock(mu_);
    auto it = logs_.find(Key(shard));
    if (it == logs_.end() || !it->second.exists) {
      lock.unlock();
      return done(Status::NotFound("no log"));
    }
    Log& log = it->second;
    store::LogRead out;
    const uint64_t start = std::max(from, log.trim);
    uint64_t bytes = 0;
    out.at_end = true;
    for (auto r = log.records.lower_bound(start); r != log.records.end(); ++r) {
      uint64_t size = r->second.pk.size() + r->second.data.size();
      if (!out.records.empty() && (out.records.size() >= limits.max_records || bytes + size > limits.max_bytes)) {
        out.at_end = false;
        break;
      }
      bytes += size;
      out.records.Add(r->first, r->second.arrival, r->second.pk, r->second.data);
    }
    out.next = out.at_end ? std::max(start, log.next) : out.records.back().counter + 1;
    lock.unlock();
    if (hold_read) {
      auto result = std::make_shared<store::LogRead>(std::move(out));
      return hold_read([done = std::move(done), result] { done(std::move(*result)); });
    }
    done(std::move(out));
  }
  void Bounds(store::ShardKey shard, std::function<void(StatusOr<store::LogBounds>)> done) override {
    std::unique_lock lock(mu_);
    auto it = logs_.find(Key(shard));
    if (it == logs_.end() || !it->second.exists) {
      lock.unlock();
      return done(Status::NotFound("no log"));
    }
    Log& log = it->second;
    store::LogBounds b;
    b.end = log.next;
    auto first = log.records.lower_bound(log.trim);
    b.first = first == log.records.end() ? b.end : first->first;
    b.sealed = log.sealed;
    lock.unlock();
    done(b);
  }
  void FindByArrival(store::ShardKey shard, int64_t ms, std::function<void(StatusOr<uint64_t>)> done) override {
    std::unique_lock lock(mu_);
    auto it = logs_.find(Key(shard));
    if (it == logs_.end() || !it->second.exists) {
      lock.unlock();
      return done(Status::NotFound("no log"));
    }
    Log& log = it->second;
    uint64_t found = log.next;
    for (auto r = log.records.lower_bound(log.trim); r != log.records.end(); ++r) {
      if (r->second.arrival >= ms) {
        found = r->first;
        break;
      }
    }
    lock.unlock();
    done(found);
  }
  StatusOr<uint64_t> TrimBefore(store::ShardKey shard, int64_t cutoff_ms) override {
    std::lock_guard lock(mu_);
    auto it = logs_.find(Key(shard));
    if (it == logs_.end() || !it->second.exists) return Status::NotFound("no log");
    Log& log = it->second;
    uint64_t below = log.next;
    for (auto& [counter, r] : log.records) {
      if (r.arrival >= cutoff_ms) {
        below = counter;
        break;
      }
    }
    if (below > log.trim) ++trims;
    log.trim = std::max(log.trim, below);
    log.records.erase(log.records.begin(), log.records.lower_bound(log.trim));
    return log.trim;
  }
  void SetAppendObserver(std::function<void(store::ShardKey)> observer) override {
    if (append_observers_.empty()) append_observers_.emplace_back();
    append_observers_[0] = std::move(observer);
  }
  void AddAppendObserver(std::function<void(store::ShardKey)> observer) {
    if (append_observers_.empty()) append_observers_.emplace_back();
    append_observers_.push_back(std::move(observer));
  }
  void WatchAppends(store::ShardKey, bool) override {}
  uint64_t MaxRecordBytes() const override { return uint64_t{1} << 30; }
  Status Ready() override { return Status::Ok(); }
  void Close() override {}

  // Test controls and probes.
  std::atomic<int> trims{0};  // TrimBefore calls that dropped something
  size_t Size(store::ShardKey shard) {
    std::lock_guard lock(mu_);
    auto it = logs_.find(Key(shard));
    return it == logs_.end() ? 0 : it->second.records.size();
  }
  void set_fail_appends(bool fail) {
    std::lock_guard lock(mu_);
    fail_appends_ = fail;
  }
  size_t meta_size() {
    std::lock_guard lock(mu_);
    return meta_.size();
  }
  size_t log_count() {
    std::lock_guard lock(mu_);
    return logs_.size();
  }
  uint64_t meta_writes() {
    std::lock_guard lock(mu_);
    return meta_writes_;
  }

 private:
  struct StoredRecord {
    int64_t arrival = 0;
    std::string pk;
    std::string data;
  };
  struct Log {
    bool exists = false;
    bool sealed = false;
    uint64_t next = 1;
    uint64_t trim = 0;
    int64_t last_arrival = 0;
    std::map<uint64_t, StoredRecord> records;
  };
  static std::pair<uint64_t, uint32_t> Key(store::ShardKey s) { return {s.incarnation, s.shard_index}; }

  std::mutex mu_;
  std::map<std::string, std::pair<std::string, uint64_t>> meta_;
  std::map<std::string, std::pair<std::string, uint64_t>> ephemeral_;
  std::map<std::pair<uint64_t, uint32_t>, Log> logs_;
  uint64_t revision_ = 0;
  uint64_t meta_writes_ = 0;
  bool fail_appends_ = false;
  std::vector<std::function<void(const store::MetaChange&)>> observers_;
  std::vector<std::function<void(store::ShardKey)>> append_observers_;
};

}  // namespace riffle::core

namespace riffle::core {

// One node's view of a shared FakeStore: the same data, but its own change
// feed, which a test may hold back (Hold(true)) to play a node that has not
// heard of other nodes' changes yet; SyncMeta() (a read barrier) delivers
// what was held, as a real cluster store's barrier does.
class FakeNode final : public store::Store {
 public:
  explicit FakeNode(FakeStore& shared) : shared_(shared) {}

  void Hold(bool hold) {
    if (!hold) (void)SyncMeta();
    std::lock_guard lock(mu_);
    holding_ = hold;
  }

  StatusOr<std::vector<store::MetaEntry>> ScanMeta(const std::string& prefix) override {
    return shared_.ScanMeta(prefix);
  }
  StatusOr<std::optional<store::MetaEntry>> GetMeta(const std::string& key, bool ephemeral) override {
    return shared_.GetMeta(key, ephemeral);
  }
  void WriteMeta(store::MetaWrite write, std::function<void(StatusOr<uint64_t>)> done) override {
    shared_.WriteMeta(std::move(write), std::move(done));
  }
  void SetMetaObserver(std::function<void(const store::MetaChange&)> observer) override {
    observer_ = std::move(observer);
    if (meta_registered_) return;  // the wrapper below calls the newest observer_
    meta_registered_ = true;
    shared_.AddMetaObserver([this](const store::MetaChange& change) {
      {
        std::lock_guard lock(mu_);
        if (holding_) {
          held_.push_back(change);
          return;
        }
      }
      observer_(change);
    });
  }
  Status SyncMeta() override {
    std::vector<store::MetaChange> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (const store::MetaChange& change : held) observer_(change);
    return Status::Ok();
  }
  Status CreateLog(store::ShardKey shard, const store::LogOptions& options) override {
    return shared_.CreateLog(shard, options);
  }
  StatusOr<uint64_t> SealLog(store::ShardKey shard) override { return shared_.SealLog(shard); }
  Status DropLog(store::ShardKey shard) override { return shared_.DropLog(shard); }
  StatusOr<std::vector<store::LogInfo>> ListLogs() override { return shared_.ListLogs(); }
  void Append(std::vector<store::AppendBatch> batches,
              std::function<void(std::vector<store::AppendResult>)> done) override {
    shared_.Append(std::move(batches), std::move(done));
  }
  void Read(store::ShardKey shard, uint64_t from, store::ReadLimits limits,
            std::function<void(StatusOr<store::LogRead>)> done) override {
    shared_.Read(shard, from, limits, std::move(done));
  }
  void Bounds(store::ShardKey shard, std::function<void(StatusOr<store::LogBounds>)> done) override {
    shared_.Bounds(shard, std::move(done));
  }
  void FindByArrival(store::ShardKey shard, int64_t ms, std::function<void(StatusOr<uint64_t>)> done) override {
    shared_.FindByArrival(shard, ms, std::move(done));
  }
  StatusOr<uint64_t> TrimBefore(store::ShardKey shard, int64_t cutoff_ms) override {
    return shared_.TrimBefore(shard, cutoff_ms);
  }
  void SetAppendObserver(std::function<void(store::ShardKey)> observer) override {
    append_observer_ = std::move(observer);
    if (append_registered_) return;
    append_registered_ = true;
    shared_.AddAppendObserver([this](store::ShardKey shard) { append_observer_(shard); });
  }
  void WatchAppends(store::ShardKey, bool) override {}
  bool Shared() const override { return true; }
  uint64_t MaxRecordBytes() const override { return shared_.MaxRecordBytes(); }
  Status Ready() override { return Status::Ok(); }
  void Close() override {}

 private:
  FakeStore& shared_;
  std::mutex mu_;
  bool holding_ = false;                   // guarded by mu_
  std::vector<store::MetaChange> held_;    // guarded by mu_
  std::function<void(const store::MetaChange&)> observer_;
  std::function<void(store::ShardKey)> append_observer_;
  bool meta_registered_ = false;
  bool append_registered_ = false;
};

}  // namespace riffle::core
