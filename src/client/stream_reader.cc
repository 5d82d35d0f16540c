// StreamReader (riffle/kinesis/stream_reader.h): shards as a lineage —
// waiting until their parents are read to the end, then read from their
// start position to their end (or, following, forever) — polled round
// robin with GetRecords.
#include "riffle/kinesis/stream_reader.h"

#include <condition_variable>
#include <map>
#include <mutex>

#include "client/hash_key.h"
#include "client/shard_map.h"
#include "riffle/kinesis/aggregation.h"

namespace riffle::kinesis {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kThrottledWait{1000};

enum class Stage { kWaiting, kActive, kDone };

struct ShardState {
  std::string id;
  internal::HashKey start = 0, end = 0;
  std::vector<std::string> parents;
  Stage stage = Stage::kWaiting;
  GetShardIteratorInput origin;  // how its first iterator is asked for
  std::string iterator;
  std::string last_sequence;     // of the last Kinesis record read
  bool caught_up = false;
  Clock::time_point not_before;
};

std::string TypeName(StreamPosition::Type type) {
  switch (type) {
    case StreamPosition::Type::kTrimHorizon: return "TRIM_HORIZON";
    case StreamPosition::Type::kLatest: return "LATEST";
    case StreamPosition::Type::kAtTimestamp: return "AT_TIMESTAMP";
    case StreamPosition::Type::kAtSequenceNumber: return "AT_SEQUENCE_NUMBER";
    case StreamPosition::Type::kAfterSequenceNumber: return "AFTER_SEQUENCE_NUMBER";
  }
  return "TRIM_HORIZON";
}

}  // namespace

struct StreamReader::Impl {
  std::shared_ptr<Client> client;
  StreamReaderOptions options;
  std::map<std::string, ShardState> shards;
  std::string last_read;  // round robin: the shard read last
  // How shards that become readable later start.
  StreamPosition later{StreamPosition::Type::kTrimHorizon, 0, {}};
  std::mutex mutex;
  std::condition_variable stop_cv;
  bool stopped = false;  // guarded by mutex

  GetShardIteratorInput Origin(const std::string& shard_id, const StreamPosition& p) const {
    GetShardIteratorInput in;
    if (!options.stream_arn.empty()) {
      in.StreamARN = options.stream_arn;
    } else {
      in.StreamName = options.stream_name;
    }
    in.ShardId = shard_id;
    in.ShardIteratorType = TypeName(p.type);
    if (p.type == StreamPosition::Type::kAtTimestamp) in.Timestamp = p.timestamp;
    if (!p.sequence_number.empty()) in.StartingSequenceNumber = p.sequence_number;
    return in;
  }

  void AddShard(const internal::ShardInfo& info) {
    if (shards.count(info.id)) return;
    ShardState s;
    s.id = info.id;
    s.start = info.start;
    s.end = info.end;
    s.parents = info.parents;
    shards.emplace(info.id, std::move(s));
  }

  // Ancestors of `id` (parents, their parents, ...) among the known shards.
  void MarkAncestorsDone(const std::string& id) {
    auto it = shards.find(id);
    if (it == shards.end()) return;
    for (const std::string& parent : it->second.parents) {
      auto p = shards.find(parent);
      if (p == shards.end() || p->second.stage == Stage::kDone) continue;
      p->second.stage = Stage::kDone;
      MarkAncestorsDone(parent);
    }
  }

  // Waiting shards whose known parents are all done become active.
  void Activate() {
    for (auto& [id, s] : shards) {
      if (s.stage != Stage::kWaiting) continue;
      bool ready = true;
      for (const std::string& parent : s.parents) {
        auto p = shards.find(parent);
        if (p != shards.end() && p->second.stage != Stage::kDone) ready = false;
      }
      if (!ready) continue;
      s.stage = Stage::kActive;
      if (!s.origin.ShardIteratorType) s.origin = Origin(id, later);
    }
  }

  std::optional<Error> Place() {
    auto map = internal::ShardMap::Read(*client, options.stream_name, options.stream_arn);
    if (!map.ok()) return map.error();
    for (const auto& [id, info] : map->shards()) AddShard(info);
    const StreamPosition& start = options.start;
    switch (start.type) {
      case StreamPosition::Type::kTrimHorizon:
      case StreamPosition::Type::kAtTimestamp:
        later = start;
        break;
      case StreamPosition::Type::kLatest:
        for (auto& [id, s] : shards) {
          const internal::ShardInfo* info = map->Find(id);
          if (info && info->open) {
            s.stage = Stage::kActive;
            s.origin = Origin(id, start);
          } else {
            s.stage = Stage::kDone;
          }
        }
        break;
      case StreamPosition::Type::kAtSequenceNumber:
      case StreamPosition::Type::kAfterSequenceNumber:
        return PlaceAtSequence(*map);
    }
    Activate();
    return std::nullopt;
  }

  // The shard holding the sequence number starts at it; its ancestors are
  // skipped; every other shard starts at that record's arrival time.
  std::optional<Error> PlaceAtSequence(const internal::ShardMap& map) {
    const StreamPosition& start = options.start;
    std::optional<Error> first_error;
    for (auto& [id, s] : shards) {
      GetShardIteratorInput probe = Origin(id, {StreamPosition::Type::kAtSequenceNumber, 0, start.sequence_number});
      auto it = client->GetShardIterator(probe);
      if (!it.ok()) {
        if (it.error().code() != ErrorCode::kInvalidArgument) return it.error();
        if (!first_error) first_error = it.error();
        continue;
      }
      // Found the owner: the arrival time of its record sets the others' start.
      GetRecordsInput get;
      get.ShardIterator = it->ShardIterator;
      get.Limit = 1;
      auto page = client->GetRecords(get);
      if (!page.ok()) return page.error();
      std::optional<double> when;
      if (page->Records && !page->Records->empty()) when = page->Records->front().ApproximateArrivalTimestamp;
      later = when ? StreamPosition{StreamPosition::Type::kAtTimestamp, *when, {}}
                   : StreamPosition{StreamPosition::Type::kLatest, 0, {}};
      s.stage = Stage::kActive;
      s.origin = Origin(id, start);
      MarkAncestorsDone(id);
      if (!when) {  // no such record (yet): the others from now on
        for (auto& [other_id, other] : shards) {
          if (other.stage != Stage::kWaiting) continue;
          const internal::ShardInfo* info = map.Find(other_id);
          other.stage = info && info->open ? Stage::kActive : Stage::kDone;
          other.origin = Origin(other_id, later);
        }
      }
      Activate();
      // Later shards (children) start at their beginning.
      later = when ? later : StreamPosition{};
      return std::nullopt;
    }
    return first_error.value_or(Error(ErrorCode::kInvalidRequest, "the stream has no shards"));
  }

  void AppendRecords(ShardState& s, std::vector<Record>& records, std::vector<StreamRecord>& out) {
    for (Record& r : records) {
      std::string sequence = r.SequenceNumber.value_or("");
      std::string partition_key = r.PartitionKey.value_or("");
      std::string data = std::move(r.Data).value_or("");
      const double arrival = r.ApproximateArrivalTimestamp.value_or(0);
      s.last_sequence = sequence;
      if (!options.deaggregate || !data.starts_with(kAggregatedMagic)) {
        out.push_back({s.id, sequence, 0, false, std::move(partition_key), std::nullopt, std::move(data), arrival});
        continue;
      }
      auto users = DecodeAggregated(data);
      if (!users.ok()) {  // magic but not valid: a plain record, as the KCL reads it
        out.push_back({s.id, sequence, 0, false, std::move(partition_key), std::nullopt, std::move(data), arrival});
        continue;
      }
      for (DeaggregatedRecord& u : users.value()) {
        std::optional<internal::HashKey> hash =
            u.explicit_hash_key ? internal::ParseHashKey(*u.explicit_hash_key)
                                : std::optional<internal::HashKey>(internal::HashKeyOfPartitionKey(u.partition_key));
        if (!hash || *hash < s.start || *hash > s.end) continue;  // a stray of a stale shard map
        out.push_back({s.id, sequence, u.sub_sequence_number, true, std::move(u.partition_key),
                       std::move(u.explicit_hash_key), std::move(u.data), arrival});
      }
    }
  }

  // The shard ended: its children (ChildShards, else a fresh ListShards).
  std::optional<Error> Ended(ShardState& s, const std::optional<std::vector<ChildShard>>& children) {
    s.stage = Stage::kDone;
    s.iterator.clear();
    if (children && !children->empty()) {
      for (const ChildShard& c : *children) {
        if (!c.ShardId || shards.count(*c.ShardId)) continue;
        Shard shard;
        shard.ShardId = c.ShardId;
        shard.HashKeyRange = c.HashKeyRange;
        const auto& parents = c.ParentShards.value_or(std::vector<std::string>{});
        if (!parents.empty()) shard.ParentShardId = parents[0];
        if (parents.size() > 1) shard.AdjacentParentShardId = parents[1];
        auto one = internal::ShardMap::FromShards({shard});
        for (const auto& [id, info] : one.shards()) AddShard(info);
      }
    } else {
      auto map = internal::ShardMap::Read(*client, options.stream_name, options.stream_arn);
      if (!map.ok()) return map.error();
      for (const auto& [id, info] : map->shards()) AddShard(info);
    }
    Activate();
    return std::nullopt;
  }

  // One GetRecords of `s`; records into `out`.
  std::optional<Error> Poll(ShardState& s, std::vector<StreamRecord>& out) {
    const auto now = Clock::now();
    if (s.iterator.empty()) {
      GetShardIteratorInput in = s.origin;
      if (!s.last_sequence.empty()) {
        in = Origin(s.id, {StreamPosition::Type::kAfterSequenceNumber, 0, s.last_sequence});
      }
      auto it = client->GetShardIterator(in);
      if (!it.ok()) {
        if (it.error().IsThrottling()) {
          s.not_before = now + kThrottledWait;
          return std::nullopt;
        }
        return it.error();
      }
      s.iterator = it->ShardIterator.value_or("");
    }
    GetRecordsInput get;
    get.ShardIterator = s.iterator;
    get.Limit = options.limit;
    auto page = client->GetRecords(get);
    if (!page.ok()) {
      if (page.error().code() == ErrorCode::kExpiredIterator) {
        s.iterator.clear();
        return std::nullopt;
      }
      if (page.error().IsThrottling()) {
        s.not_before = now + kThrottledWait;
        return std::nullopt;
      }
      return page.error();
    }
    std::vector<Record> records = std::move(page->Records).value_or(std::vector<Record>{});
    const bool empty = records.empty();
    AppendRecords(s, records, out);
    if (!page->NextShardIterator) return Ended(s, page->ChildShards);
    s.iterator = *page->NextShardIterator;
    s.caught_up = empty && page->MillisBehindLatest.value_or(0) == 0;
    if (s.caught_up) s.not_before = now + options.poll_interval;
    return std::nullopt;
  }

  bool IsStopped() {
    std::lock_guard lock(mutex);
    return stopped;
  }

  Result<std::optional<std::vector<StreamRecord>>> Next() {
    for (;;) {
      if (IsStopped()) return std::optional<std::vector<StreamRecord>>();
      // The next shard to read after the last one read, round robin.
      ShardState* pick = nullptr;
      std::optional<Clock::time_point> earliest;
      bool pending = false;  // something may still come (not following)
      const auto now = Clock::now();
      auto visit = [&](ShardState& s) {
        if (s.stage == Stage::kWaiting) pending = true;
        if (s.stage != Stage::kActive) return;
        if (!options.follow && s.caught_up) return;
        pending = true;
        if (s.not_before > now) {
          if (!earliest || s.not_before < *earliest) earliest = s.not_before;
          return;
        }
        if (!pick) pick = &s;
      };
      for (auto it = shards.upper_bound(last_read); it != shards.end(); ++it) visit(it->second);
      for (auto it = shards.begin(); it != shards.end() && it->first <= last_read; ++it) visit(it->second);
      if (!pending) return std::optional<std::vector<StreamRecord>>();
      if (!pick) {
        if (!earliest) return std::optional<std::vector<StreamRecord>>();
        std::unique_lock lock(mutex);
        stop_cv.wait_until(lock, *earliest, [this] { return stopped; });
        continue;
      }
      last_read = pick->id;
      std::vector<StreamRecord> out;
      if (auto error = Poll(*pick, out)) return *error;
      if (!out.empty()) return std::optional<std::vector<StreamRecord>>(std::move(out));
    }
  }
};

Result<std::unique_ptr<StreamReader>> StreamReader::Create(std::shared_ptr<Client> client, StreamReaderOptions options) {
  if (!client) return Error(ErrorCode::kInvalidRequest, "no client");
  if (options.stream_name.empty() == options.stream_arn.empty()) {
    return Error(ErrorCode::kInvalidRequest, "name the stream by stream_name or stream_arn (one of them)");
  }
  if (options.limit < 1 || options.limit > 10000) return Error(ErrorCode::kInvalidRequest, "limit must be 1..10000");
  const auto type = options.start.type;
  if ((type == StreamPosition::Type::kAtSequenceNumber || type == StreamPosition::Type::kAfterSequenceNumber) &&
      options.start.sequence_number.empty()) {
    return Error(ErrorCode::kInvalidRequest, "a sequence number start needs the sequence number");
  }
  auto impl = std::make_unique<Impl>();
  impl->client = std::move(client);
  impl->options = std::move(options);
  if (auto error = impl->Place()) return *error;
  return std::unique_ptr<StreamReader>(new StreamReader(std::move(impl)));
}

StreamReader::StreamReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamReader::~StreamReader() = default;

Result<std::optional<std::vector<StreamRecord>>> StreamReader::Next() { return impl_->Next(); }

void StreamReader::Stop() {
  std::lock_guard lock(impl_->mutex);
  impl_->stopped = true;
  impl_->stop_cv.notify_all();
}

}  // namespace riffle::kinesis
