// StreamService data plane: PutRecords, GetShardIterator, GetRecords.
#include <algorithm>
#include <cmath>
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
// A put whose shard was sealed by a reshard is routed again (to the
// children) after the reshard is carried out; more than this many rounds means
// the stream keeps resharding faster than we can follow.
constexpr int kMaxPutRounds = 16;

const char* IteratorTypeName(IteratorType type) {
  switch (type) {
    case IteratorType::kTrimHorizon:
      return "TRIM_HORIZON";
    case IteratorType::kLatest:
      return "LATEST";
    case IteratorType::kAtTimestamp:
      return "AT_TIMESTAMP";
    case IteratorType::kAtSequenceNumber:
      return "AT_SEQUENCE_NUMBER";
    case IteratorType::kAfterSequenceNumber:
      return "AFTER_SEQUENCE_NUMBER";
  }
  return "LATEST";
}

}  // namespace

struct StreamService::PutCall {
  StreamAddress address;
  std::vector<PutEntry> entries;    // the entries not stored yet keep their bytes here
  std::vector<PutResult> results;   // in entry order
  std::vector<size_t> pending;      // entries to place in this round
  int rounds = 0;
  bool refreshed = false;           // the registry caught up once after a miss
  std::optional<std::string> ordering;  // SequenceNumberForOrdering
  bool dry_run = false;
  std::function<void(StatusOr<std::vector<PutResult>>)> done;
};

void StreamService::PutRecords(const StreamAddress& address, std::vector<PutEntry> entries,
                               const std::optional<std::string>& sequence_number_for_ordering,
                               std::function<void(StatusOr<std::vector<PutResult>>)> done, bool dry_run) {
  auto call = std::make_shared<PutCall>();
  call->ordering = sequence_number_for_ordering;
  call->dry_run = dry_run;
  call->address = address;
  call->results.resize(entries.size());
  call->pending.resize(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) call->pending[i] = i;
  call->entries = std::move(entries);
  call->done = std::move(done);
  RunPut(std::move(call));
}

void StreamService::RunPut(std::shared_ptr<PutCall> call) {
  const int64_t now = clock_.NowMs();
  const StreamAddress& address = call->address;
  StreamPtr stream = Find(address);
  const StreamStatus status = stream ? StatusAsOf(stream->state, now) : StreamStatus::kDeleting;
  if (stream == nullptr || stream->IsGone(now) || status == StreamStatus::kCreating ||
      status == StreamStatus::kDeleting) {
    if (!call->refreshed && (stream == nullptr || status == StreamStatus::kCreating)) {
      // Maybe created (or made ACTIVE) through another node a moment ago.
      call->refreshed = true;
      return AfterBarrier([this, call] { RunPut(call); });
    }
    for (size_t i : call->pending) call->results[i].error = StreamNotFound(address);
    return FinishPut(std::move(call));
  }
  const StreamState& s = stream->state;
  if (call->rounds == 0) {
    // Checked once the stream is known to exist (an unknown stream is
    // reported first).
    if (call->ordering && !AcceptedForOrdering(*call->ordering, static_cast<uint64_t>(now / 1000))) {
      return call->done(Status::InvalidArgument("ExclusiveMinimumSequenceNumber " + *call->ordering +
                                                " used in PutRecord on stream " + address.name + " under account " +
                                                address.account_id + " is invalid."));
    }
    // The stream's maximum record size (UpdateMaxRecordSize) bounds data + partition key.
    const size_t max_record_bytes = size_t{s.max_record_size_kib} * 1024;
    for (const PutEntry& e : call->entries) {
      if (e.data.size() + e.partition_key.size() > max_record_bytes) {
        return call->done(Status::InvalidArgument("Record size exceeds the maximum record size of " +
                                                  std::to_string(s.max_record_size_kib) + " KiB for stream " +
                                                  address.name + " under account " + address.account_id + "."));
      }
    }
    if (call->dry_run) return call->done(std::vector<PutResult>{});
  }
  ++call->rounds;
  // Route every pending record, then give each shard one batch in entry order.
  std::vector<store::AppendBatch> batches;
  struct Member {
    uint32_t shard;
    std::vector<size_t> indexes;  // entries of the batch, in order
  };
  auto members = std::make_shared<std::vector<Member>>();  // one per batch
  std::vector<int> batch_of_shard(s.shards.size(), -1);
  for (size_t i : call->pending) {
    PutEntry& e = call->entries[i];
    uint32_t shard = stream->Route(e.explicit_hash_key ? *e.explicit_hash_key : HashKey::FromPartitionKey(e.partition_key));
    if (batch_of_shard[shard] < 0) {
      batch_of_shard[shard] = static_cast<int>(batches.size());
      store::AppendBatch batch;
      batch.shard = stream->Key(shard);
      batch.arrival_ms = now;
      batches.push_back(std::move(batch));
      members->push_back({shard, {}});
    }
    const int b = batch_of_shard[shard];
    batches[b].entries.push_back({std::move(e.partition_key), std::move(e.data)});
    (*members)[b].indexes.push_back(i);
  }
  store_.Append(std::move(batches), [this, call, stream, members](std::vector<store::AppendResult> appended) {
    std::vector<size_t> again;
    for (size_t b = 0; b < appended.size(); ++b) {
      store::AppendResult& result = appended[b];
      const uint32_t shard = (*members)[b].shard;
      const std::vector<size_t>& indexes = (*members)[b].indexes;
      // A reshard sealed the shard (or the stream was deleted, and perhaps
      // created again, through another node): the entries not stored are
      // routed again once this node knows.
      const bool reroute = (result.error.code() == Errc::kSealed || result.error.code() == Errc::kResourceNotFound) &&
                           !result.returned.empty();
      size_t next_returned = 0;
      SequenceNumberFormatter formatter;
      const std::string shard_id = ShardIdString(shard);
      for (size_t k = 0; k < indexes.size(); ++k) {
        PutResult& out = call->results[indexes[k]];
        const uint64_t counter = k < result.counters.size() ? result.counters[k] : 0;
        if (counter == 0 && reroute && next_returned < result.returned.size()) {
          call->entries[indexes[k]].partition_key = std::move(result.returned[next_returned].partition_key);
          call->entries[indexes[k]].data = std::move(result.returned[next_returned].data);
          ++next_returned;
          again.push_back(indexes[k]);
          continue;
        }
        if (counter == 0) {
          out.error = result.error.ok() ? Status::StorageError("record not stored") : result.error;
          if (out.error.code() == Errc::kResourceNotFound) out.error = StreamNotFound(call->address);
          continue;
        }
        SequenceNumber seq;
        seq.incarnation = stream->state.incarnation;
        seq.shard_index = shard;
        seq.counter = counter;
        seq.seconds = static_cast<uint64_t>(std::max<int64_t>(result.arrival_ms, 0) / 1000) & SequenceNumber::kMaxSeconds;
        out.error = Status::Ok();
        out.shard_id = shard_id;
        out.encrypted = stream->state.encrypted;
        out.sequence_number = formatter.Format(seq);
      }
    }
    if (again.empty() || call->rounds >= kMaxPutRounds) {
      for (size_t i : again) call->results[i].error = Status::Unavailable("the shard is being resharded; try again");
      return FinishPut(call);
    }
    // In entry order: the batches went by shard, and entries of different
    // parents may land in one child, where they must keep the request's order.
    std::sort(again.begin(), again.end());
    call->pending = std::move(again);
    call->refreshed = true;
    const StreamAddress address = call->address;
    // After catching up with the metadata, carry out the reshard that sealed
    // the shard if nobody has yet, then route again.
    worker_.PostAfter(call->rounds > 2 ? 10 * call->rounds : 0, [this, call, address] {
      (void)Barrier();
      (void)Settle(address);
      RunPut(call);
    });
  });
}

void StreamService::FinishPut(std::shared_ptr<PutCall> call) {
  bool any_stored = false;
  const Status* first_error = nullptr;
  for (const PutResult& r : call->results) {
    if (r.error.ok()) {
      any_stored = true;
    } else if (first_error == nullptr) {
      first_error = &r.error;
    }
  }
  if (!any_stored && first_error != nullptr) return call->done(*first_error);
  call->done(std::move(call->results));
}

void StreamService::GetShardIterator(const StreamAddress& address, const std::string& shard_id,
                                     const IteratorRequest& request, std::function<void(StatusOr<std::string>)> done) {
  GetShardIteratorImpl(address, shard_id, request, std::move(done), false);
}

void StreamService::GetShardIteratorImpl(const StreamAddress& address, const std::string& shard_id,
                                         const IteratorRequest& request,
                                         std::function<void(StatusOr<std::string>)> done, bool refreshed) {
  std::optional<uint32_t> index = ParseShardId(shard_id);
  if (!index) return done(Status::NotFound(ShardNotFoundMessage(shard_id, address)));
  const std::string canonical_id = ShardIdString(*index);
  // Kinesis names the shard, not the stream, when the stream is unknown
  // (kinesalite test/getShardIterator.js, recorded from real Kinesis).
  Status shard_missing = Status::NotFound("Shard " + canonical_id + " in stream " + address.name + " under account " +
                                          address.account_id + " does not exist");
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  // Perhaps created, made ACTIVE or resharded through another node a moment
  // ago: look again once this node has caught up.
  auto look_again = [&] {
    AfterBarrier([this, address, shard_id, request, done = std::move(done)]() mutable {
      GetShardIteratorImpl(address, shard_id, request, std::move(done), true);
    });
  };
  if (stream == nullptr) {
    if (!refreshed) return look_again();
    return done(shard_missing);
  }
  const bool has_sequence = request.starting_sequence_number.has_value();
  const bool wants_sequence =
      request.type == IteratorType::kAtSequenceNumber || request.type == IteratorType::kAfterSequenceNumber;
  if (has_sequence && !wants_sequence && request.type != IteratorType::kAtTimestamp) {
    return done(Status::InvalidArgument(
        std::string("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
                    "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ") +
        IteratorTypeName(request.type) + " and also a StartingSequenceNumber."));
  }
  if (!has_sequence && wants_sequence) {
    return done(Status::InvalidArgument(
        std::string("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
                    "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ") +
        IteratorTypeName(request.type) + " and no StartingSequenceNumber."));
  }
  if (request.type == IteratorType::kAtTimestamp && !request.timestamp_seconds) {
    return done(Status::InvalidArgument(
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no "
        "timestamp parameter."));
  }
  if (stream->IsGone(now)) return done(shard_missing);
  if (StatusAsOf(stream->state, now) == StreamStatus::kCreating || *index >= stream->state.shards.size()) {
    if (!refreshed) return look_again();
    return done(shard_missing);
  }
  const StreamState& s = stream->state;
  ShardIterator it;
  it.incarnation = s.incarnation;
  it.shard_index = *index;
  it.issued_ms = now;
  it.account_id = address.account_id;
  it.stream_name = address.name;
  const store::ShardKey key = stream->Key(*index);
  auto with_position = [this, it, shard_missing, done](StatusOr<uint64_t> position) mutable {
    if (!position.ok()) {
      return done(position.status().code() == Errc::kResourceNotFound ? shard_missing : position.status());
    }
    it.position = *position;
    done(iterators_.Encode(it));
  };
  switch (request.type) {
    case IteratorType::kTrimHorizon:
    case IteratorType::kLatest: {
      const bool latest = request.type == IteratorType::kLatest;
      return store_.Bounds(key, [with_position = std::move(with_position), latest](StatusOr<store::LogBounds> b) mutable {
        if (!b.ok()) return with_position(b.status());
        with_position(latest ? b->end : b->first);
      });
    }
    case IteratorType::kAtTimestamp: {
      const double ms = *request.timestamp_seconds * 1000.0;
      // Whole milliseconds, saturated at the ends of int64 (a number the
      // wire allows can lie beyond them; NaN, from CBOR, reads as 0).
      const int64_t whole_ms = std::isnan(ms)                                    ? 0
                               : ms >= static_cast<double>(INT64_MAX)            ? INT64_MAX
                               : ms <= static_cast<double>(INT64_MIN)            ? INT64_MIN
                                                                                  : static_cast<int64_t>(ms);
      if (ms > static_cast<double>(now)) {
        return done(Status::InvalidArgument(
            "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
            "timestampInMillis: " +
            std::to_string(whole_ms) + ", currentTimestampInMillis: " + std::to_string(now)));
      }
      return store_.FindByArrival(key, whole_ms, std::move(with_position));
    }
    case IteratorType::kAtSequenceNumber:
    case IteratorType::kAfterSequenceNumber:
      break;
  }
  const std::string& text = *request.starting_sequence_number;
  auto seq = SequenceNumber::Parse(text);
  std::string prefix = "StartingSequenceNumber " + text + " used in GetShardIterator on shard " + canonical_id +
                       " in stream " + address.name + " under account " + address.account_id + " is invalid";
  if (!seq) {
    // Kinesis decodes its early 128-bit layout to word the error.
    auto legacy = LegacySequenceNumber::Parse(text);
    if (legacy && !legacy->date_too_large) {
      if (legacy->shard_index != *index) {
        return done(Status::InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                                            ShardIdString(legacy->shard_index) +
                                            ", while it was used in a call to a shard with " + canonical_id));
      }
      return done(Status::InvalidArgument("StartingSequenceNumber " + legacy->decimal +
                                          " used in GetShardIterator on shard " + canonical_id + " in stream " +
                                          address.name + " under account " + address.account_id +
                                          " is invalid because it did not come from this stream."));
    }
    return done(Status::InvalidArgument(prefix + "."));
  }
  if (seq->shard_index != *index) {
    return done(Status::InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                                        EncodedShardIdString(seq->shard_index) +
                                        ", while it was used in a call to a shard with " + canonical_id));
  }
  if (seq->incarnation != s.incarnation) {
    return done(Status::InvalidArgument(prefix + " because it did not come from this stream."));
  }
  with_position(seq->counter + (request.type == IteratorType::kAfterSequenceNumber ? 1 : 0));
}

void StreamService::GetRecords(const std::string& shard_iterator, std::optional<int64_t> limit, uint64_t max_bytes,
                               std::function<void(StatusOr<RecordsPage>)> done) {
  const int64_t now = clock_.NowMs();
  auto it = iterators_.Decode(shard_iterator);
  if (!it) return done(Status::InvalidArgument("Invalid ShardIterator."));
  if (now - it->issued_ms > ShardIterator::kLifetimeMs) {
    return done(Status::ExpiredIterator(
        "Iterator expired. The iterator was created at time " + AmzUtcString(it->issued_ms) +
        " while right now it is " + AmzUtcString(now) +
        " which is further in the future than the tolerated delay of 300000 milliseconds."));
  }
  const std::string shard_id = ShardIdString(it->shard_index);
  Status missing = Status::NotFound("Shard " + shard_id + " in stream " + it->stream_name + " under account " +
                                    it->account_id + " does not exist");
  StreamPtr stream = registry_.FindByIncarnation(it->incarnation);
  if (stream == nullptr || it->shard_index >= stream->state.shards.size()) {
    if (stream == nullptr || !stream->IsGone(now)) {
      // Perhaps this node has not seen the stream's latest layout yet.
      StreamPtr seen = stream;
      return AfterBarrier([this, shard_iterator, limit, max_bytes, done = std::move(done), missing, seen,
                           incarnation = it->incarnation, index = it->shard_index]() mutable {
        StreamPtr fresh = registry_.FindByIncarnation(incarnation);
        if (fresh == nullptr || fresh == seen || index >= fresh->state.shards.size()) return done(missing);
        GetRecords(shard_iterator, limit, max_bytes, std::move(done));
      });
    }
    return done(missing);
  }
  if (stream->IsGone(now)) return done(missing);
  const StreamState& s = stream->state;
  const ShardState& shard = s.shards[it->shard_index];
  store::ReadLimits limits;
  limits.max_records = static_cast<uint64_t>(std::min<int64_t>(limit.value_or(10000), kMaxRecordsPerGet));
  limits.max_bytes = std::min<uint64_t>(max_bytes, kMaxBytesPerGet);
  store_.Read(stream->Key(it->shard_index), it->position, limits,
              [this, stream, iterator = std::move(*it), closed = shard.closed, missing, now,
               done = std::move(done)](StatusOr<store::LogRead> read) mutable {
                if (!read.ok()) return done(read.status().code() == Errc::kResourceNotFound ? missing : read.status());
                const StreamState& s = stream->state;
                RecordsPage page;
                page.encrypted = s.encrypted;
                page.records.reserve(read->records.size());
                SequenceNumberFormatter formatter;
                for (const store::Record& r : read->records) {
                  SequenceNumber seq;
                  seq.incarnation = iterator.incarnation;
                  seq.shard_index = iterator.shard_index;
                  seq.counter = r.counter;
                  seq.seconds = static_cast<uint64_t>(std::max<int64_t>(r.arrival_ms, 0) / 1000) &
                                SequenceNumber::kMaxSeconds;
                  page.records.push_back({formatter.Format(seq), r.arrival_ms, r.partition_key, r.data});
                }
                if (!read->at_end && !read->records.empty()) {
                  page.millis_behind_latest = std::max<int64_t>(0, now - read->records.records.back().arrival_ms);
                }
                page.bytes = std::move(read->records.bytes);  // the views above stay valid
                if (closed && read->at_end) {
                  // The end of a closed shard: where to go on.
                  for (const ShardState& child : s.shards) {
                    if (child.parent == iterator.shard_index || child.adjacent_parent == iterator.shard_index) {
                      ChildShard c;
                      c.shard_id = ShardIdString(child.index);
                      if (child.parent) c.parent_shards.push_back(ShardIdString(*child.parent));
                      if (child.adjacent_parent) c.parent_shards.push_back(ShardIdString(*child.adjacent_parent));
                      c.range = child.range;
                      page.child_shards.push_back(std::move(c));
                    }
                  }
                } else {
                  ShardIterator next = iterator;
                  next.position = read->next;
                  next.issued_ms = now;
                  page.next_shard_iterator = iterators_.Encode(next);
                }
                done(std::move(page));
              });
}

}  // namespace riffle::core
