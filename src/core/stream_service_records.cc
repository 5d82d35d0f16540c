// StreamService data plane: PutRecords, GetShardIterator, GetRecords.
#include <ctime>

#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

// "Thu Jan 22 01:22:02 UTC 2015", as Kinesis prints times in messages.
std::string AmzUtcString(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buffer;
}

constexpr uint64_t kMaxRecordsPerGet = 10000;
constexpr uint64_t kMaxBytesPerGet = 10 * 1024 * 1024;

}  // namespace

void StreamService::PutRecords(const StreamAddress& address, std::vector<PutEntry> entries,
                               const std::optional<std::string>& sequence_number_for_ordering,
                               std::function<void(StatusOr<std::vector<PutResult>>)> done) {
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));

  if (sequence_number_for_ordering && !SequenceNumber::Parse(*sequence_number_for_ordering)) {
    return done(Status::InvalidArgument("ExclusiveMinimumSequenceNumber " + *sequence_number_for_ordering +
                                        " used in PutRecord on stream " + address.name + " under account " +
                                        address.account_id + " is invalid."));
  }

  struct Placement {
    uint32_t shard;
    uint64_t counter;
  };
  auto placements = std::make_shared<std::vector<Placement>>(entries.size());
  store::Mutation m;
  std::vector<uint32_t> touched;  // shard indexes, in first-use order
  std::shared_ptr<std::vector<std::string>> sequence_numbers;
  bool encrypted = false;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    StreamState& s = stream->state;
    if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) {
      return done(StreamNotFound(address));
    }
    // The stream's maximum record size (UpdateMaxRecordSize) bounds data + partition key.
    const size_t max_record_bytes = size_t{s.max_record_size_kib} * 1024;
    for (const PutEntry& e : entries) {
      if (e.data.size() + e.partition_key.size() > max_record_bytes) {
        return done(Status::InvalidArgument("Record size exceeds the maximum record size of " +
                                            std::to_string(s.max_record_size_kib) + " KiB for stream " +
                                            address.name + " under account " + address.account_id + "."));
      }
    }
    // Route every record, then give each shard one batch in request order.
    std::vector<int> batch_of_shard(s.shards.size(), -1);
    for (size_t i = 0; i < entries.size(); ++i) {
      HashKey key = entries[i].explicit_hash_key ? *entries[i].explicit_hash_key
                                                 : HashKey::FromPartitionKey(entries[i].partition_key);
      uint32_t shard = stream->Route(key);
      if (batch_of_shard[shard] < 0) {
        batch_of_shard[shard] = static_cast<int>(m.appends.size());
        touched.push_back(shard);
        store::AppendBatch batch;
        batch.shard = stream->Key(shard);
        m.appends.push_back(std::move(batch));
      }
      (*placements)[i].shard = shard;
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      store::AppendBatch& batch = m.appends[batch_of_shard[(*placements)[i].shard]];
      batch.entries.push_back({std::move(entries[i].partition_key), std::move(entries[i].data)});
    }
    for (store::AppendBatch& batch : m.appends) {
      ShardRuntime& rt = stream->runtime[batch.shard.shard_index];
      rt.last_arrival_ms = std::max(rt.last_arrival_ms, now);
      batch.first_counter = rt.next_counter;
      batch.arrival_ms = rt.last_arrival_ms;
      rt.next_counter += batch.entries.size();
    }
    // Counters in request order within each shard.
    std::vector<uint64_t> next(s.shards.size());
    for (const store::AppendBatch& batch : m.appends) next[batch.shard.shard_index] = batch.first_counter;
    encrypted = s.encrypted;
    sequence_numbers = std::make_shared<std::vector<std::string>>(entries.size());
    std::vector<SequenceNumberFormatter> formatters(m.appends.size());  // one per batch
    for (size_t i = 0; i < entries.size(); ++i) {
      Placement& p = (*placements)[i];
      p.counter = next[p.shard]++;
      const int b = batch_of_shard[p.shard];
      SequenceNumber seq;  // the fields SequenceAt() formats
      seq.incarnation = s.incarnation;
      seq.shard_index = p.shard;
      seq.counter = p.counter;
      seq.seconds = static_cast<uint64_t>(std::max<int64_t>(m.appends[b].arrival_ms, 0) / 1000) &
                    SequenceNumber::kMaxSeconds;
      (*sequence_numbers)[i] = formatters[b].Format(seq);
    }
    // Settle marks move when the write completes. Writes complete in
    // submission order and we submit while holding the stream lock, so the
    // marks only move forward. The completion may run on this thread (a
    // closed store answers at once), so it must not take the stream lock.
    std::vector<std::pair<ShardRuntime*, uint64_t>> ends;
    for (const store::AppendBatch& batch : m.appends) {
      ends.emplace_back(&stream->runtime[batch.shard.shard_index], batch.first_counter + batch.entries.size());
    }
    store_.Submit(std::move(m), [this, stream, incarnation = s.incarnation, touched = std::move(touched),
                                 ends = std::move(ends), placements, sequence_numbers, encrypted,
                                 done = std::move(done)](Status status) {
      for (const auto& [runtime, end] : ends) runtime->Settle(end);
      for (uint32_t shard : touched) notifier_.Notify(incarnation, shard);  // wakes subscribers
      if (!status.ok()) return done(status);
      std::vector<PutResult> results;
      results.reserve(placements->size());
      for (size_t i = 0; i < placements->size(); ++i) {
        results.push_back({ShardIdString((*placements)[i].shard), std::move((*sequence_numbers)[i]), encrypted});
      }
      done(std::move(results));
    });
  }
}

StatusOr<std::string> StreamService::GetShardIterator(const StreamAddress& address, const std::string& shard_id,
                                                      const IteratorRequest& request) {
  int64_t now = clock_.NowMs();
  std::optional<uint32_t> index = ParseShardId(shard_id);
  if (!index) return Status::NotFound(ShardNotFoundMessage(shard_id, address));
  std::string canonical_id = ShardIdString(*index);
  // Kinesis names the shard, not the stream, when the stream is unknown
  // (kinesalite test/getShardIterator.js, recorded from real Kinesis).
  Status shard_missing = Status::NotFound("Shard " + canonical_id + " in stream " + address.name + " under account " +
                                          address.account_id + " does not exist");
  auto stream = Find(address);
  if (stream == nullptr) return shard_missing;

  bool has_sequence = request.starting_sequence_number.has_value();
  bool wants_sequence =
      request.type == IteratorType::kAtSequenceNumber || request.type == IteratorType::kAfterSequenceNumber;
  const char* type_name = request.type == IteratorType::kTrimHorizon ? "TRIM_HORIZON"
                          : request.type == IteratorType::kLatest    ? "LATEST"
                          : request.type == IteratorType::kAtTimestamp ? "AT_TIMESTAMP"
                          : request.type == IteratorType::kAtSequenceNumber ? "AT_SEQUENCE_NUMBER"
                                                                            : "AFTER_SEQUENCE_NUMBER";
  if (has_sequence && !wants_sequence && request.type != IteratorType::kAtTimestamp) {
    return Status::InvalidArgument(
        std::string("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
                    "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ") +
        type_name + " and also a StartingSequenceNumber.");
  }
  if (!has_sequence && wants_sequence) {
    return Status::InvalidArgument(
        std::string("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
                    "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ") +
        type_name + " and no StartingSequenceNumber.");
  }
  if (request.type == IteratorType::kAtTimestamp && !request.timestamp_seconds) {
    return Status::InvalidArgument(
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no "
        "timestamp parameter.");
  }

  store::Mutation m;
  ShardIterator it;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return shard_missing;
    Refresh(*stream, now, m);
    const StreamState& s = stream->state;
    if (s.status == StreamStatus::kCreating) return shard_missing;
    if (*index >= s.shards.size()) return shard_missing;
    const ShardState& shard = s.shards[*index];
    const ShardRuntime& rt = stream->runtime[*index];
    it.incarnation = s.incarnation;
    it.shard_index = *index;
    it.issued_ms = now;
    it.account_id = address.account_id;
    it.stream_name = address.name;
    switch (request.type) {
      case IteratorType::kTrimHorizon:
        it.position = std::max<uint64_t>(shard.start_counter, rt.trim_end.load());
        break;
      case IteratorType::kLatest:
        it.position = rt.committed_end;
        break;
      case IteratorType::kAtTimestamp: {
        double ms = *request.timestamp_seconds * 1000.0;
        if (ms > static_cast<double>(now)) {
          return Status::InvalidArgument(
              "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
              "timestampInMillis: " +
              std::to_string(static_cast<int64_t>(ms)) + ", currentTimestampInMillis: " + std::to_string(now));
        }
        auto found = store_.FirstCounterAtOrAfter(stream->Key(*index), static_cast<int64_t>(ms));
        if (!found.ok()) return found.status();
        it.position = found->has_value() ? std::min<uint64_t>(**found, rt.committed_end.load())
                                         : rt.committed_end.load();
        it.position = std::max<uint64_t>(it.position, rt.trim_end.load());
        break;
      }
      case IteratorType::kAtSequenceNumber:
      case IteratorType::kAfterSequenceNumber: {
        const std::string& text = *request.starting_sequence_number;
        auto seq = SequenceNumber::Parse(text);
        std::string prefix = "StartingSequenceNumber " + text + " used in GetShardIterator on shard " + canonical_id +
                             " in stream " + address.name + " under account " + address.account_id + " is invalid";
        if (!seq) {
          // Kinesis decodes its early 128-bit layout to word the error.
          auto legacy = LegacySequenceNumber::Parse(text);
          if (legacy && !legacy->date_too_large) {
            if (legacy->shard_index != *index) {
              return Status::InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                                             ShardIdString(legacy->shard_index) +
                                             ", while it was used in a call to a shard with " + canonical_id);
            }
            return Status::InvalidArgument("StartingSequenceNumber " + legacy->decimal +
                                           " used in GetShardIterator on shard " + canonical_id + " in stream " +
                                           address.name + " under account " + address.account_id +
                                           " is invalid because it did not come from this stream.");
          }
          return Status::InvalidArgument(prefix + ".");
        }
        if (seq->shard_index != *index) {
          return Status::InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                                         ShardIdString(seq->shard_index) +
                                         ", while it was used in a call to a shard with " + canonical_id);
        }
        if (seq->incarnation != s.incarnation) {
          return Status::InvalidArgument(prefix + " because it did not come from this stream.");
        }
        it.position = seq->counter + (request.type == IteratorType::kAfterSequenceNumber ? 1 : 0);
        break;
      }
    }
  }
  Commit(std::move(m), [](Status) {});
  return iterators_.Encode(it);
}

StatusOr<RecordsPage> StreamService::GetRecords(const std::string& shard_iterator, std::optional<int64_t> limit,
                                                uint64_t max_bytes) {
  int64_t now = clock_.NowMs();
  auto it = iterators_.Decode(shard_iterator);
  if (!it) return Status::InvalidArgument("Invalid ShardIterator.");
  if (now - it->issued_ms > ShardIterator::kLifetimeMs) {
    return Status::ExpiredIterator("Iterator expired. The iterator was created at time " +
                                   AmzUtcString(it->issued_ms) + " while right now it is " + AmzUtcString(now) +
                                   " which is further in the future than the tolerated delay of 300000 milliseconds.");
  }
  std::string shard_id = ShardIdString(it->shard_index);
  Status missing = Status::NotFound("Shard " + shard_id + " in stream " + it->stream_name + " under account " +
                                    it->account_id + " does not exist");
  auto stream = FindByIncarnation(it->incarnation);
  if (stream == nullptr) return missing;

  store::Mutation m;
  uint64_t readable_end;  // exclusive
  uint64_t trim_end;      // records below are past retention
  bool closed;
  uint64_t end_counter;
  std::vector<ChildShard> children;
  store::ShardKey key;
  bool encrypted;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now) || it->shard_index >= stream->state.shards.size()) return missing;
    Refresh(*stream, now, m);
    const StreamState& s = stream->state;
    encrypted = s.encrypted;
    const ShardState& shard = s.shards[it->shard_index];
    readable_end = stream->runtime[it->shard_index].committed_end;
    trim_end = stream->runtime[it->shard_index].trim_end;
    closed = shard.closed;
    end_counter = shard.end_counter;
    key = stream->Key(it->shard_index);
    if (closed) {
      readable_end = std::min(readable_end, end_counter);
      for (const ShardState& child : s.shards) {
        if (child.parent == shard.index || child.adjacent_parent == shard.index) {
          ChildShard c;
          c.shard_id = ShardIdString(child.index);
          if (child.parent) c.parent_shards.push_back(ShardIdString(*child.parent));
          if (child.adjacent_parent) c.parent_shards.push_back(ShardIdString(*child.adjacent_parent));
          c.range = child.range;
          children.push_back(std::move(c));
        }
      }
    }
  }
  Commit(std::move(m), [](Status) {});

  RecordsPage page;
  page.encrypted = encrypted;
  uint64_t position = std::max(it->position, trim_end);  // an older iterator resumes at the horizon
  if (position < readable_end) {
    store::ReadLimits limits;
    limits.max_records = static_cast<uint64_t>(std::min<int64_t>(limit.value_or(10000), kMaxRecordsPerGet));
    limits.max_bytes = std::min<uint64_t>(max_bytes, kMaxBytesPerGet);
    auto records = store_.ReadRecords(key, position, readable_end - 1, limits);
    if (!records.ok()) return records.status();
    page.records.reserve(records->size());
    SequenceNumberFormatter formatter;
    for (const store::Record& r : *records) {
      SequenceNumber seq;
      seq.incarnation = it->incarnation;
      seq.shard_index = it->shard_index;
      seq.counter = r.counter;
      seq.seconds = static_cast<uint64_t>(r.arrival_ms / 1000) & SequenceNumber::kMaxSeconds;
      page.records.push_back({formatter.Format(seq), r.arrival_ms, r.partition_key, r.data});
    }
    if (!records->empty()) {
      position = records->back().counter + 1;
      if (position < readable_end) page.millis_behind_latest = std::max<int64_t>(0, now - records->back().arrival_ms);
    } else {
      position = readable_end;  // everything in range was trimmed
    }
    page.bytes = std::move(records->bytes);  // the views above stay valid
  }
  bool at_end = closed && position >= end_counter && readable_end >= end_counter;
  if (at_end) {
    page.child_shards = std::move(children);
  } else {
    ShardIterator next = *it;
    next.position = position;
    next.issued_ms = now;
    page.next_shard_iterator = iterators_.Encode(next);
  }
  return page;
}

}  // namespace riffle::core
