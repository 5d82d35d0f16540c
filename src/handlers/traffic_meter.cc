#include "handlers/traffic_meter.h"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include "core/byte_codec.h"

namespace riffle::handlers {

namespace {

constexpr int64_t kCacheFlushMs = 60 * 1000;
// Another node's intervals kept per stream (enough for 16 nodes), and how far
// past this meter's last sample one may end (clocks apart) to be kept.
constexpr size_t kMaxPeerPoints = 16 * TrafficMeter::kHistorySamples;
constexpr int64_t kMaxPeerAheadMs = 60 * 1000;

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
    : id_(next_meter_id.fetch_add(1)), last_flush_ms_(start_ms), last_sample_ms_(start_ms), samples_{start_ms} {}

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
  samples_.push_back(now_ms);
  if (samples_.size() > kHistorySamples) samples_.pop_front();
  // Other nodes' intervals that end before the first interval shown go.
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto& points = it->second.points;
    while (!points.empty() && points.front().end_ms <= samples_.front()) points.pop_front();
    it = points.empty() ? peers_.erase(it) : std::next(it);
  }
  // Now and then threads drop their caches, so idle streams can go.
  if (now_ms - last_flush_ms_ >= kCacheFlushMs) {
    last_flush_ms_ = now_ms;
    epoch_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::vector<TrafficMeter::StreamRates> TrafficMeter::Rates(std::string_view account,
                                                           std::string_view region) const {
  std::lock_guard lock(mu_);
  // Each stream's own counts and other nodes' intervals, by name.
  std::map<std::string_view, std::pair<const Entry*, const PeerStream*>> streams;
  for (const auto& [key, entry] : entries_) {
    if (entry->account == account && entry->region == region && entry->shard.empty()) {
      streams[entry->name].first = entry.get();
    }
  }
  for (const auto& [key, peer] : peers_) {
    if (peer.account == account && peer.region == region) streams[peer.name].second = &peer;
  }
  std::vector<StreamRates> out;
  for (const auto& [name, sources] : streams) {
    const auto [entry, peer] = sources;
    // The intervals between this meter's samples, from the first with a count.
    size_t first = samples_.size();
    auto sample_at_or_after = [&](int64_t ms) {
      return static_cast<size_t>(std::lower_bound(samples_.begin(), samples_.end(), ms) - samples_.begin());
    };
    if (entry != nullptr && !entry->history.empty()) first = sample_at_or_after(entry->history.front().ms);
    if (peer != nullptr && !peer->points.empty()) {
      const size_t ends_in = sample_at_or_after(peer->points.front().end_ms);
      if (ends_in > 0) first = std::min(first, ends_in - 1);
    }
    StreamRates rates;
    rates.name = std::string(name);
    size_t h = 0, q = 0;  // positions in the entry's history and the peers' points
    for (size_t i = first + 1; i < samples_.size(); ++i) {
      const int64_t a = samples_[i - 1], b = samples_[i];
      if (b <= a) continue;
      std::array<uint64_t, kRateMetrics> counts{};
      if (entry != nullptr) {
        const auto& history = entry->history;
        while (h < history.size() && history[h].ms < a) ++h;
        if (h + 1 < history.size() && history[h].ms == a && history[h + 1].ms == b) {
          for (size_t m = 0; m < kRateMetrics; ++m) counts[m] = history[h + 1].totals[m] - history[h].totals[m];
        }
      }
      if (peer != nullptr) {
        const auto& points = peer->points;
        while (q < points.size() && points[q].end_ms <= a) ++q;
        for (; q < points.size() && points[q].end_ms <= b; ++q) {
          for (size_t m = 0; m < kRateMetrics; ++m) counts[m] += points[q].counts[m];
        }
      }
      rates.points.push_back({b, b - a, counts[kIncomingRecords], counts[kIncomingBytes], counts[kOutgoingRecords],
                              counts[kOutgoingBytes]});
    }
    out.push_back(std::move(rates));
  }
  return out;
}

std::vector<std::string> TrafficMeter::IntervalReports(size_t max_bytes) const {
  std::vector<std::string> reports;
  std::string body;
  uint64_t count = 0;
  std::lock_guard lock(mu_);
  if (samples_.size() < 2) return reports;
  const int64_t end = samples_.back(), duration = end - samples_[samples_.size() - 2];
  auto flush = [&] {
    if (count == 0) return;
    std::string report(1, static_cast<char>(kReportKind));
    core::PutVarint(report, static_cast<uint64_t>(end));
    core::PutVarint(report, static_cast<uint64_t>(duration));
    core::PutVarint(report, count);
    report += body;
    reports.push_back(std::move(report));
    body.clear();
    count = 0;
  };
  for (const auto& [key, entry] : entries_) {
    const auto& history = entry->history;
    if (!entry->shard.empty() || history.size() < 2 || history.back().ms != end) continue;
    const Snapshot& a = history[history.size() - 2];
    const Snapshot& b = history.back();
    if (a.totals == b.totals) continue;
    std::string item;
    core::PutString(item, entry->account);
    core::PutString(item, entry->region);
    core::PutString(item, entry->name);
    for (size_t m = 0; m < kRateMetrics; ++m) core::PutVarint(item, b.totals[m] - a.totals[m]);
    if (count > 0 && body.size() + item.size() > max_bytes) flush();
    body += item;
    ++count;
  }
  flush();
  return reports;
}

void TrafficMeter::ApplyReport(std::string_view report) {
  core::ByteReader in(report);
  if (in.U8() != kReportKind) return;
  const int64_t end = static_cast<int64_t>(in.Varint());
  const int64_t duration = static_cast<int64_t>(in.Varint());
  const uint64_t count = in.Varint();
  if (count > report.size()) return;  // each stream takes more than a byte
  std::vector<PeerStream> streams(count);
  for (PeerStream& stream : streams) {
    stream.account = in.String();
    stream.region = in.String();
    stream.name = in.String();
    PeerPoint point{end, duration, {}};
    for (uint64_t& c : point.counts) c = in.Varint();
    stream.points.push_back(point);
  }
  if (!in.ok() || duration <= 0) return;
  std::lock_guard lock(mu_);
  if (end <= samples_.front() || end > last_sample_ms_ + kMaxPeerAheadMs) return;
  for (PeerStream& stream : streams) {
    PeerStream& kept = peers_[KeyOf(stream.account, stream.region, stream.name, {})];
    if (kept.points.empty()) {
      kept.account = std::move(stream.account);
      kept.region = std::move(stream.region);
      kept.name = std::move(stream.name);
    }
    const PeerPoint& point = stream.points.front();
    auto at = std::upper_bound(kept.points.begin(), kept.points.end(), point.end_ms,
                               [](int64_t ms, const PeerPoint& p) { return ms < p.end_ms; });
    kept.points.insert(at, point);
    if (kept.points.size() > kMaxPeerPoints) kept.points.pop_front();
  }
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
