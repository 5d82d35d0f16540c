// FakeStore: a synchronous in-memory Store for core unit tests (not part
// of the library; only *_test.cc files include it).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"

namespace riffle::core {

// A synchronous Store: mutations apply and complete at once.
class FakeStore final : public store::Store {
 public:
  void Submit(store::Mutation m, std::function<void(Status)> done) override {
    for (auto& batch : m.appends) {
      auto& log = records_[Key(batch.shard)];
      uint64_t counter = batch.first_counter;
      for (auto& e : batch.entries) {
        log[counter] = {batch.arrival_ms, e.partition_key, e.data};
        ++counter;
      }
    }
    for (auto& [k, v] : m.meta_puts) meta_[k] = v;
    for (auto& k : m.meta_deletes) meta_.erase(k);
    for (auto& s : m.drop_shards) records_.erase(Key(s));
    done(Status::Ok());
  }
  StatusOr<std::vector<std::pair<std::string, std::string>>> ScanMeta(const std::string& prefix) override {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& [k, v] : meta_) {
      if (k.rfind(prefix, 0) == 0) out.emplace_back(k, v);
    }
    return out;
  }
  StatusOr<store::RecordsRead> ReadRecords(store::ShardKey shard, uint64_t from, uint64_t to,
                                           store::ReadLimits limits) override {
    store::RecordsRead out;
    auto& log = records_[Key(shard)];
    for (auto it = log.lower_bound(from); it != log.end() && it->first <= to && out.size() < limits.max_records;
         ++it) {
      out.Add(it->first, it->second.arrival_ms, it->second.partition_key, it->second.data);
    }
    return out;
  }
  StatusOr<std::optional<uint64_t>> LastCounter(store::ShardKey shard) override {
    auto& log = records_[Key(shard)];
    if (log.empty()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(log.rbegin()->first);
  }
  StatusOr<std::optional<uint64_t>> FirstCounter(store::ShardKey shard) override {
    auto& log = records_[Key(shard)];
    if (log.empty()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(log.begin()->first);
  }
  StatusOr<std::optional<uint64_t>> FirstCounterAtOrAfter(store::ShardKey shard, int64_t ms) override {
    for (auto& [c, r] : records_[Key(shard)]) {
      if (r.arrival_ms >= ms) return std::optional<uint64_t>(c);
    }
    return std::optional<uint64_t>();
  }
  StatusOr<std::optional<int64_t>> FirstArrival(store::ShardKey) override { return std::optional<int64_t>(); }
  Status Trim(const store::TrimRequest& request) override {
    auto& log = records_[Key(request.shard)];
    log.erase(log.begin(), log.lower_bound(request.below_counter));
    ++trims;
    return Status::Ok();
  }
  size_t Size(store::ShardKey shard) { return records_[Key(shard)].size(); }
  std::atomic<int> trims{0};
  void Close() override {}

 private:
  static std::pair<uint64_t, uint32_t> Key(store::ShardKey k) { return {k.incarnation, k.shard_index}; }
  std::map<std::string, std::string> meta_;
  struct Stored {
    int64_t arrival_ms = 0;
    std::string partition_key;
    std::string data;
  };
  std::map<std::pair<uint64_t, uint32_t>, std::map<uint64_t, Stored>> records_;
};

}  // namespace riffle::core
