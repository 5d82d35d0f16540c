// StreamService shard listing and scaling: ListShards (filters, NextToken)
// and UpdateShardCount (UNIFORM_SCALING).
#include <cmath>

#include "core/byte_codec.h"
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

constexpr int64_t kNextTokenLifetimeMs = 300 * 1000;
// MaxResults defaults to 1000 and may ask for up to 10000 (the model's range).
constexpr int64_t kDefaultShardsPerListing = 1000;
constexpr uint8_t kNextTokenVersion = 1;

// ListShards NextToken payload (docs/storage-format.md "ListShards NextToken").
struct ListPosition {
  uint64_t incarnation = 0;
  StreamAddress address;
  uint32_t position = 0;  // first shard index the page may return
  uint8_t filter = 0;     // 0 none, else a ShardFilterType
  int64_t filter_ms = 0;
  int64_t issued_ms = 0;
};

std::string EncodePosition(const ListPosition& p) {
  std::string out;
  out.push_back(static_cast<char>(kNextTokenVersion));
  PutVarint(out, p.incarnation);
  PutString(out, p.address.account_id);
  PutString(out, p.address.region);
  PutString(out, p.address.name);
  PutVarint(out, p.position);
  out.push_back(static_cast<char>(p.filter));
  PutI64(out, p.filter_ms);
  PutI64(out, p.issued_ms);
  return out;
}

std::optional<ListPosition> DecodePosition(std::string_view bytes) {
  ByteReader r(bytes);
  if (r.U8() != kNextTokenVersion) return std::nullopt;
  ListPosition p;
  p.incarnation = r.Varint();
  p.address.account_id = r.String();
  p.address.region = r.String();
  p.address.name = r.String();
  uint64_t position = r.Varint();
  p.filter = r.U8();
  p.filter_ms = r.I64();
  p.issued_ms = r.I64();
  if (!r.ok() || position > UINT32_MAX || p.filter > static_cast<uint8_t>(ShardFilterType::kFromTimestamp)) {
    return std::nullopt;
  }
  p.position = static_cast<uint32_t>(position);
  return p;
}

// The first shard index whose id sorts after `shard_id` (ids compare as
// DescribeStream's ExclusiveStartShardId does).
uint32_t FirstIndexAfter(const StreamState& s, const std::string& shard_id) {
  uint32_t i = 0;
  while (i < s.shards.size() && ShardIdString(i) <= shard_id) ++i;
  return i;
}

// Whether a shard passes a ListShards filter. `trim_ms`: the trim horizon,
// never before the stream's creation.
bool PassesFilter(const ShardState& shard, uint8_t filter, int64_t filter_ms, int64_t trim_ms) {
  switch (filter) {
    case 0:
    case static_cast<uint8_t>(ShardFilterType::kFromTrimHorizon):
      return !shard.closed || shard.closed_ms >= trim_ms;
    case static_cast<uint8_t>(ShardFilterType::kAfterShardId):
      return true;
    case static_cast<uint8_t>(ShardFilterType::kAtLatest):
      return !shard.closed;
    case static_cast<uint8_t>(ShardFilterType::kAtTrimHorizon):
      return shard.created_ms <= trim_ms && (!shard.closed || shard.closed_ms >= trim_ms);
    case static_cast<uint8_t>(ShardFilterType::kAtTimestamp): {
      int64_t at = std::max(filter_ms, trim_ms);
      return shard.created_ms <= at && (!shard.closed || shard.closed_ms >= at);
    }
    case static_cast<uint8_t>(ShardFilterType::kFromTimestamp): {
      int64_t from = std::max(filter_ms, trim_ms);
      return !shard.closed || shard.closed_ms >= from;
    }
  }
  return false;
}

const char* FilterName(ShardFilterType type) {
  switch (type) {
    case ShardFilterType::kAfterShardId:
      return "AFTER_SHARD_ID";
    case ShardFilterType::kAtTrimHorizon:
      return "AT_TRIM_HORIZON";
    case ShardFilterType::kFromTrimHorizon:
      return "FROM_TRIM_HORIZON";
    case ShardFilterType::kAtLatest:
      return "AT_LATEST";
    case ShardFilterType::kAtTimestamp:
      return "AT_TIMESTAMP";
    case ShardFilterType::kFromTimestamp:
      return "FROM_TIMESTAMP";
  }
  return "";
}

}  // namespace

StatusOr<ShardList> StreamService::ListShards(const ListShardsRequest& request) {
  int64_t now = clock_.NowMs();
  ListPosition p;
  if (request.next_token) {
    auto payload = iterators_.Open(*request.next_token);
    std::optional<ListPosition> decoded = payload ? DecodePosition(*payload) : std::nullopt;
    if (!decoded) return Status::InvalidArgument("Invalid NextToken.");
    p = *decoded;
    if (now - p.issued_ms > kNextTokenLifetimeMs) {
      return Status(Errc::kExpiredNextToken, "The requested token has expired.");  // wording unverified
    }
  } else {
    if (!request.stream) return Status::InvalidArgument("Either NextToken or StreamName should be provided.");
    p.address = *request.stream;
    if (request.filter) {
      const ShardFilter& f = *request.filter;
      bool wants_shard_id = f.type == ShardFilterType::kAfterShardId;
      bool wants_timestamp = f.type == ShardFilterType::kAtTimestamp || f.type == ShardFilterType::kFromTimestamp;
      if (wants_shard_id != f.shard_id.has_value()) {
        return Status::InvalidArgument(wants_shard_id ? "ShardId must be provided for the AFTER_SHARD_ID ShardFilter type."
                                                      : std::string("ShardId can only be provided for the AFTER_SHARD_ID "
                                                                    "ShardFilter type, not ") + FilterName(f.type) + ".");
      }
      if (wants_timestamp != f.timestamp_seconds.has_value()) {
        return Status::InvalidArgument(
            wants_timestamp ? std::string("Timestamp must be provided for the ") + FilterName(f.type) +
                                  " ShardFilter type."
                            : std::string("Timestamp can only be provided for the AT_TIMESTAMP or FROM_TIMESTAMP "
                                          "ShardFilter types, not ") + FilterName(f.type) + ".");
      }
      p.filter = static_cast<uint8_t>(f.type);
      if (f.timestamp_seconds) p.filter_ms = static_cast<int64_t>(std::llround(*f.timestamp_seconds * 1000.0));
    }
  }

  RIFFLE_RETURN_IF_ERROR(Barrier());
  RIFFLE_RETURN_IF_ERROR(Settle(p.address));  // a due reshard shows its children
  StreamPtr stream = Find(p.address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(p.address);
  ShardList list;
  {
    const StreamState& s = stream->state;
    if (request.next_token) {
      // The stream was deleted and re-created since the token was issued.
      if (s.incarnation != p.incarnation) return StreamNotFound(p.address);
    } else {
      if (request.stream_creation_seconds &&
          static_cast<int64_t>(std::floor(*request.stream_creation_seconds)) != s.created_ms / 1000) {
        return StreamNotFound(p.address);
      }
      p.incarnation = s.incarnation;
      if (request.exclusive_start_shard_id) {
        p.position = std::max(p.position, FirstIndexAfter(s, *request.exclusive_start_shard_id));
      }
      if (request.filter && request.filter->shard_id) {
        p.position = std::max(p.position, FirstIndexAfter(s, *request.filter->shard_id));
      }
    }
    int64_t trim_ms = std::max(now - int64_t{s.retention_hours} * 3600 * 1000, s.created_ms);
    int64_t max = request.max_results.value_or(kDefaultShardsPerListing);
    for (uint32_t i = p.position; i < s.shards.size(); ++i) {
      const ShardState& shard = s.shards[i];
      if (!PassesFilter(shard, p.filter, p.filter_ms, trim_ms)) continue;
      if (static_cast<int64_t>(list.shards.size()) >= max) {
        ListPosition next = p;
        next.position = i;
        next.issued_ms = now;
        list.next_token = iterators_.Seal(EncodePosition(next));
        break;
      }
      list.shards.push_back(DescribeShard(s, shard));
    }
  }
  return list;
}

void ApplyUniformScaling(StreamState& s, uint32_t target, const std::map<uint32_t, uint64_t>& ends, int64_t now) {
  std::vector<uint32_t> old;  // open shards sorted by range start
  for (const ShardState& shard : s.shards) {
    if (!shard.closed) old.push_back(shard.index);
  }
  std::sort(old.begin(), old.end(),
            [&s](uint32_t a, uint32_t b) { return s.shards[a].range.start < s.shards[b].range.start; });
  std::vector<HashKeyRange> wanted;
  for (uint32_t j = 0; j < target; ++j) wanted.push_back(UniformRange(j, target));

  // Old shards that already are a target range stay open; the rest close.
  std::vector<bool> keep(s.shards.size(), false);
  {
    size_t j = 0;
    for (uint32_t index : old) {
      const HashKeyRange& r = s.shards[index].range;
      while (j < wanted.size() && wanted[j].end < r.start) ++j;
      if (j < wanted.size() && wanted[j].start == r.start && wanted[j].end == r.end) keep[index] = true;
    }
  }
  for (uint32_t index : old) {
    if (keep[index]) continue;
    auto end = ends.find(index);
    CloseShard(s, index, end == ends.end() ? 0 : end->second, now);
  }
  auto close_at_once = [&](uint32_t index) {
    ShardState& shard = s.shards[index];
    shard.closed = true;
    shard.end_counter = shard.start_counter;
    shard.closed_ms = now;
  };

  size_t first_old = 0;  // first old shard that may overlap the current target range
  for (size_t j = 0; j < wanted.size(); ++j) {
    const HashKeyRange want = wanted[j];
    while (first_old < old.size() && s.shards[old[first_old]].range.end < want.start) ++first_old;
    std::vector<uint32_t> overlapping;
    for (size_t k = first_old; k < old.size() && s.shards[old[k]].range.start <= want.end; ++k) {
      overlapping.push_back(old[k]);
    }
    if (overlapping.size() == 1 && keep[overlapping[0]]) continue;
    // Pieces: each overlapping old shard's part of the target range; a whole
    // old shard is its own piece, a part of one is a new child of it.
    std::vector<uint32_t> pieces;
    for (uint32_t index : overlapping) {
      HashKeyRange r = s.shards[index].range;
      if (want.start <= r.start && r.end <= want.end) {
        pieces.push_back(index);
        continue;
      }
      HashKeyRange part{std::max(r.start, want.start), std::min(r.end, want.end)};
      uint64_t start = s.shards[index].end_counter;
      uint32_t child = AddShard(s, part, start, now).index;
      s.shards[child].parent = index;
      pieces.push_back(child);
    }
    // Merge the pieces left to right; only the last merge stays open.
    uint32_t acc = pieces[0];
    for (size_t k = 1; k < pieces.size(); ++k) {
      if (!s.shards[acc].closed) close_at_once(acc);
      if (!s.shards[pieces[k]].closed) close_at_once(pieces[k]);
      HashKeyRange merged{s.shards[acc].range.start, s.shards[pieces[k]].range.end};
      uint64_t start = std::max(s.shards[acc].end_counter, s.shards[pieces[k]].end_counter);
      uint32_t child = AddShard(s, merged, start, now).index;
      s.shards[child].parent = acc;
      s.shards[child].adjacent_parent = pieces[k];
      acc = child;
    }
  }
}

void StreamService::UpdateShardCount(const StreamAddress& address, int64_t target,
                                     std::function<void(StatusOr<ShardCountUpdate>)> done) {
  ShardCountUpdate update;
  auto shards_lock = shard_limit_locks_.Acquire(address.account_id, address.region);
  if (!shards_lock.ok()) return done(shards_lock.status());
  Status status = StartReshard(address, [&](StreamState& s, int64_t) -> Status {
    if (s.status != StreamStatus::kActive) return Status::InUse(NotActiveMessage(s));
    if (s.mode == StreamMode::kOnDemand) return OnDemandReshardError(s, "UpdateShardCount");
    const int64_t open = OpenShardCount(s);
    const int64_t account_open = CountOpenShards(address.account_id, address.region);
    std::string counts =
        " Current open shard count: " + std::to_string(open) + ", Target shard count: " + std::to_string(target);
    if (target > options_.shard_limit) {
      return Status::LimitExceeded("Target shard count or number of open shards cannot be greater than " +
                                   std::to_string(options_.shard_limit) + "." + counts);
    }
    if (target > open * 2) {
      return Status::LimitExceeded("UpdateShardCount cannot scale up over double your current open shard count." +
                                   counts);
    }
    if (target * 2 < open) {
      return Status::LimitExceeded("UpdateShardCount cannot scale down below half your current open shard count." +
                                   counts);
    }
    if (account_open - open + target > options_.shard_limit) {
      return Status::LimitExceeded(
          ShardLimitMessage(address, account_open, options_.shard_limit, std::max<int64_t>(target - open, 0)));
    }
    update.name = address.name;
    update.arn = address.Arn();
    update.current_shard_count = open;
    update.target_shard_count = target;
    PendingReshard p;
    p.kind = ReshardKind::kUniformScaling;
    p.shard = static_cast<uint32_t>(target);
    s.pending = p;
    return Status::Ok();
  });
  shards_lock->Release();  // before `done`
  if (!status.ok()) return done(status);
  done(update);
}

}  // namespace riffle::core
