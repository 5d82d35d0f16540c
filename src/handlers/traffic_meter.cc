#include "handlers/traffic_meter.h"

#include <algorithm>
#include <functional>
#include <tuple>

namespace riffle::handlers {

namespace {

constexpr int64_t kCacheFlushMs = 60 * 1000;

std::atomic<uint64_t> next_meter_id{1};

// The map key of a stream or shard: its names, NUL-separated (no name holds NUL).
std::string KeyOf(std::string_view account, std::string_view region, std::string_view name,
                  std::string_view shard) {
  std::string key;
  key.reserve(account.size() + region.size() + name.size() + shard.size() + 3);
  key.append(account).push_back('\0');
  key.append(region).push_back('\0');
  key.append(name).push_back('\0');
  key.append(shard);
  return key;
}

uint64_t HashOf(std::string_view account, std::string_view region, std::string_view name, std::string_view shard) {
  std::hash<std::string_view> hash;
  uint64_t h = hash(account);
  h = h * 0x9E3779B97F4A7C15ull ^ hash(region);
  h = h * 0x9E3779B97F4A7C15ull ^ hash(name);
  return h * 0x9E3779B97F4A7C15ull ^ hash(shard);
}

}  // namespace

TrafficMeter::TrafficMeter(int64_t start_ms)
    : id_(next_meter_id.fetch_add(1)), last_flush_ms_(start_ms), last_sample_ms_(start_ms) {}

void TrafficMeter::CountIn(std::string_view account, std::string_view region, std::string_view name,
                           uint64_t records, uint64_t bytes) {
  if (records == 0) return;
  Count(account, region, name, {{kIncomingRecords, records}, {kIncomingBytes, bytes}});
}

void TrafficMeter::CountOut(std::string_view account, std::string_view region, std::string_view name,
                            uint64_t records, uint64_t bytes) {
  if (records == 0) return;
  Count(account, region, name, {{kOutgoingRecords, records}, {kOutgoingBytes, bytes}});
}

void TrafficMeter::CountShard(std::string_view account, std::string_view region, std::string_view name,
                              std::string_view shard_id, std::initializer_list<Amount> amounts) {
  Entry& entry = Cached(account, region, name, shard_id);
  for (const Amount& a : amounts) {
    if (IsGauge(a.metric)) {
      entry.totals[a.metric].store(a.value, std::memory_order_relaxed);
    } else if (a.value != 0) {
      entry.totals[a.metric].fetch_add(a.value, std::memory_order_relaxed);
    }
  }
}

TrafficMeter::Entry& TrafficMeter::Cached(std::string_view account, std::string_view region, std::string_view name,
                                          std::string_view shard) {
  // A thread's cache: counter blocks by the hash of their stream. Holding a
  // shared_ptr keeps a block alive, and keeps Sample() from forgetting it.
  struct Cache {
    uint64_t meter = 0;
    uint64_t epoch = 0;
    std::unordered_map<uint64_t, std::shared_ptr<Entry>> entries;
  };
  thread_local Cache cache;
  uint64_t epoch = epoch_.load(std::memory_order_relaxed);
  if (cache.meter != id_ || cache.epoch != epoch) {
    cache.entries.clear();
    cache.meter = id_;
    cache.epoch = epoch;
  }
  std::shared_ptr<Entry>& slot = cache.entries[HashOf(account, region, name, shard)];
  if (!slot || slot->name != name || slot->shard != shard || slot->region != region || slot->account != account) {
    slot = FindOrCreate(account, region, name, shard);
  }
  return *slot;
}

std::shared_ptr<TrafficMeter::Entry> TrafficMeter::FindOrCreate(std::string_view account, std::string_view region,
                                                                 std::string_view name, std::string_view shard) {
  std::string key = KeyOf(account, region, name, shard);
  std::lock_guard lock(mu_);
  std::shared_ptr<Entry>& entry = entries_[key];
  if (!entry) {
    entry = std::make_shared<Entry>();
    entry->account = account;
    entry->region = region;
    entry->name = name;
    entry->shard = shard;
  }
  return entry;
}

void TrafficMeter::Sample(int64_t now_ms) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& entry = *it->second;
    // A stream counted since the last sample had nothing then.
    if (entry.history.empty()) entry.history.push_back(Snapshot{last_sample_ms_, {}});
    std::array<uint64_t, kMetrics> now{};
    for (size_t i = 0; i < kMetrics; ++i) now[i] = entry.totals[i].load(std::memory_order_relaxed);
    Snapshot snapshot;
    snapshot.ms = now_ms;
    std::copy_n(now.begin(), kRateMetrics, snapshot.totals.begin());
    entry.history.push_back(snapshot);
    if (entry.history.size() > kHistorySamples) entry.history.pop_front();
    entry.unchanged_samples = now == entry.last ? entry.unchanged_samples + 1 : 0;
    entry.last = now;
    // Idle for a whole history and referenced by no thread cache (only
    // copied out of entries_ under mu_, so the count cannot rise now).
    bool idle = entry.unchanged_samples >= kHistorySamples - 1;
    if (idle && it->second.use_count() == 1) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  last_sample_ms_ = now_ms;
  // Now and then threads drop their caches, so idle streams can go.
  if (now_ms - last_flush_ms_ >= kCacheFlushMs) {
    last_flush_ms_ = now_ms;
    epoch_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::vector<TrafficMeter::StreamRates> TrafficMeter::Rates(std::string_view account,
                                                           std::string_view region) const {
  std::vector<StreamRates> out;
  std::lock_guard lock(mu_);
  for (const auto& [key, entry] : entries_) {
    if (entry->account != account || entry->region != region || !entry->shard.empty()) continue;
    StreamRates rates;
    rates.name = entry->name;
    for (size_t i = 1; i < entry->history.size(); ++i) {
      const Snapshot& a = entry->history[i - 1];
      const Snapshot& b = entry->history[i];
      if (b.ms <= a.ms) continue;
      auto delta = [&](Metric m) { return b.totals[m] - a.totals[m]; };
      rates.points.push_back({b.ms, b.ms - a.ms, delta(kIncomingRecords), delta(kIncomingBytes),
                              delta(kOutgoingRecords), delta(kOutgoingBytes)});
    }
    out.push_back(std::move(rates));
  }
  std::sort(out.begin(), out.end(), [](const StreamRates& a, const StreamRates& b) { return a.name < b.name; });
  return out;
}

std::vector<TrafficMeter::StreamTotals> TrafficMeter::Totals() const {
  std::vector<StreamTotals> out;
  std::lock_guard lock(mu_);
  for (const auto& item : entries_) {
    const auto& entry = item.second;
    StreamTotals totals{entry->account, entry->region, entry->name, entry->shard, {}};
    for (size_t i = 0; i < kMetrics; ++i) totals.values[i] = entry->totals[i].load(std::memory_order_relaxed);
    out.push_back(std::move(totals));
  }
  std::sort(out.begin(), out.end(), [](const StreamTotals& a, const StreamTotals& b) {
    return std::tie(a.account, a.region, a.name, a.shard) < std::tie(b.account, b.region, b.name, b.shard);
  });
  return out;
}

}  // namespace riffle::handlers
