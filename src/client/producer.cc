// Producer: the threads and bookkeeping around ProducerBatcher — Add's
// validation and memory bound, the sending thread (due batches, retries,
// shard map refreshes), PutRecords completions (success, per-entry
// failures, wrong shards), and the thread that delivers outcomes.
#include "riffle/kinesis/producer.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "client/hash_key.h"
#include "client/producer_batcher.h"
#include "client/retry_policy.h"
#include "client/shard_map.h"

namespace riffle::kinesis {

using internal::Batch;
using internal::KinesisEntry;
using internal::PendingPtr;
using internal::PendingRecord;
using Clock = internal::ProducerClock;

namespace {

constexpr std::chrono::milliseconds kRetryBase{100};
constexpr std::chrono::milliseconds kRetryMaxBackoff{2000};
constexpr std::chrono::milliseconds kMinRefreshInterval{1000};
constexpr size_t kMaxPartitionKeyChars = 256;

// Characters of UTF-8 text (bytes that do not continue a sequence).
size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Whether a failure (of a whole PutRecords, or of one entry) may pass.
bool Transient(const Error& e) {
  return e.IsRetryable() || e.code() == ErrorCode::kInternalFailure || e.code() == ErrorCode::kServiceUnavailable ||
         e.code() == ErrorCode::kKMSThrottling;
}

double UnitRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

struct Producer::Impl {
  Impl(std::shared_ptr<Client> c, ProducerOptions o, internal::ShardMap m)
      : client(std::move(c)),
        options(std::move(o)),
        batcher({options.aggregate, options.aggregation_max_bytes, options.aggregation_max_count,
                 options.batch_max_records, options.batch_max_bytes, options.max_buffered_time,
                 options.max_in_flight_per_shard}),
        map(std::move(m)) {}

  void Start() {
    sender = std::thread([this] { SendLoop(); });
    notifier = std::thread([this] { NotifyLoop(); });
  }

  std::optional<Error> Validate(const UserRecord& r) const {
    if (r.partition_key.empty()) return Error(ErrorCode::kInvalidRequest, "empty partition key");
    if (Utf8Length(r.partition_key) > kMaxPartitionKeyChars) {
      return Error(ErrorCode::kInvalidRequest, "partition key longer than 256 characters");
    }
    if (r.explicit_hash_key && !internal::ParseHashKey(*r.explicit_hash_key)) {
      return Error(ErrorCode::kInvalidRequest, "explicit hash key is not a decimal 0..2^128-1");
    }
    if (r.partition_key.size() + r.data.size() > options.max_record_bytes) {
      return Error(ErrorCode::kInvalidRequest, "record of " + std::to_string(r.partition_key.size() + r.data.size()) +
                                                   " bytes (data and partition key) exceeds " +
                                                   std::to_string(options.max_record_bytes));
    }
    return std::nullopt;
  }

  void Add(UserRecord record, std::function<void(Result<RecordReceipt>)> done) {
    auto p = std::make_shared<PendingRecord>();
    p->done = std::move(done);
    p->bytes = record.partition_key.size() + record.data.size();
    std::optional<Error> invalid = Validate(record);
    if (!invalid) {
      p->hash = record.explicit_hash_key ? *internal::ParseHashKey(*record.explicit_hash_key)
                                         : internal::HashKeyOfPartitionKey(record.partition_key);
    }
    p->record = std::move(record);
    std::unique_lock lock(mu);
    ++stats.user_records_added;
    ++outstanding;
    if (invalid) {
      ++stats.user_records_failed;
      outcomes.emplace_back(std::move(p), std::move(*invalid));
      outcome_ready.notify_one();
      return;
    }
    space.wait(lock, [&] { return buffered_bytes == 0 || buffered_bytes + p->bytes <= options.max_buffered_bytes; });
    buffered_bytes += p->bytes;
    const auto now = Clock::now();
    p->expires = now + options.record_ttl;
    Route(std::move(p), now);
    wake.notify_one();
  }

  // REQUIRES: mu held.
  void Route(PendingPtr p, Clock::time_point now) {
    const internal::ShardInfo* shard = map.OpenShardOf(p->hash);
    if (!shard) map_stale = true;  // a gap in the map: read it again
    batcher.Add(shard ? shard->id : std::string(), std::move(p), now);
  }

  // REQUIRES: mu held. Queues the outcome; the notifier delivers it.
  void Finish(const PendingPtr& p, Result<RecordReceipt> result) {
    if (result.ok()) {
      ++stats.user_records_put;
    } else {
      ++stats.user_records_failed;
    }
    buffered_bytes -= p->bytes;
    space.notify_all();
    outcomes.emplace_back(p, std::move(result));
    outcome_ready.notify_one();
  }

  // REQUIRES: mu held. `error` ended an attempt that carried `p`.
  void RetryOrFail(const PendingPtr& p, const Error& error, bool forced, Clock::time_point now) {
    p->last_error = error;
    const bool throttled = error.IsThrottling();
    if (!forced && (!Transient(error) || (throttled && options.fail_if_throttled))) {
      Finish(p, error);
      return;
    }
    if (now >= p->expires) {
      Finish(p, Expired(p, error));
      return;
    }
    ++stats.retried_user_records;
    auto delay = internal::RetryPolicy::Backoff(kRetryBase, kRetryMaxBackoff, p->attempts, UnitRandom());
    retries.emplace(std::min(now + delay, p->expires), p);
  }

  static bool Owns(const internal::ShardInfo& shard, internal::HashKey hash) {
    return hash >= shard.start && hash <= shard.end;
  }
  static Error WrongShard(const std::string& shard) {
    return Error(ErrorCode::kInvalidRequest, "aggregated into " + shard + ", which does not own its hash key");
  }

  // REQUIRES: mu held. After a refresh: the receipts of records aggregated
  // into a shard the old map did not know.
  void Verify(Clock::time_point now) {
    std::vector<std::pair<PendingPtr, RecordReceipt>> waiting;
    waiting.swap(unverified);
    for (auto& [p, receipt] : waiting) {
      const internal::ShardInfo* landed = map.Find(receipt.shard_id);
      if (landed && !Owns(*landed, p->hash)) {
        RetryOrFail(p, WrongShard(receipt.shard_id), true, now);
      } else if (landed || now >= p->expires) {
        Finish(p, std::move(receipt));  // stored where it belongs (or, unverifiable, stored anyway)
      } else {
        unverified.emplace_back(p, std::move(receipt));
      }
    }
  }

  Error Expired(const PendingPtr& p, const Error& last) const {
    return Error(ErrorCode::kExpired, "record not stored within its time to live (" +
                                          std::to_string(options.record_ttl.count()) + " ms, " +
                                          std::to_string(p->attempts) + " attempts); last error: " + last.ToString());
  }

  void SendLoop() {
    std::unique_lock lock(mu);
    Clock::time_point last_refresh = Clock::now() - kMinRefreshInterval;
    while (!stopping) {
      auto now = Clock::now();
      while (!retries.empty() && retries.begin()->first <= now) {
        PendingPtr p = retries.begin()->second;
        retries.erase(retries.begin());
        if (now >= p->expires) {
          Finish(p, Expired(p, p->last_error.value_or(Error(ErrorCode::kExpired, "waiting to be retried"))));
        } else {
          Route(std::move(p), now);
        }
      }
      if (map_stale && now - last_refresh >= kMinRefreshInterval) {
        last_refresh = now;
        lock.unlock();
        auto fresh = internal::ShardMap::Read(*client, options.stream_name, options.stream_arn);
        lock.lock();
        if (fresh.ok()) {
          map = std::move(fresh.value());
          map_stale = false;
          ++stats.shard_map_refreshes;
        }
        Verify(Clock::now());
        if (!unverified.empty()) map_stale = true;
        continue;
      }
      const size_t budget = options.max_in_flight_requests - std::min(options.max_in_flight_requests, in_flight);
      std::vector<Batch> batches = batcher.TakeReady(now, budget);
      if (!batches.empty()) {
        in_flight += batches.size();
        stats.requests += batches.size();
        for (Batch& b : batches) {
          for (KinesisEntry& e : b.entries) {
            for (PendingPtr& p : e.members) ++p->attempts;
          }
        }
        lock.unlock();
        for (Batch& b : batches) Send(std::move(b));
        lock.lock();
        continue;
      }
      std::optional<Clock::time_point> next = batcher.NextDeadline();
      if (!retries.empty() && (!next || retries.begin()->first < *next)) next = retries.begin()->first;
      if (map_stale && (!next || last_refresh + kMinRefreshInterval < *next)) next = last_refresh + kMinRefreshInterval;
      if (in_flight >= options.max_in_flight_requests) next.reset();  // a completion wakes us
      if (next) {
        wake.wait_until(lock, *next);
      } else {
        wake.wait(lock);
      }
    }
  }

  void Send(Batch batch) {
    PutRecordsInput request;
    if (!options.stream_arn.empty()) {
      request.StreamARN = options.stream_arn;
    } else {
      request.StreamName = options.stream_name;
    }
    auto& records = request.Records.emplace();
    records.reserve(batch.entries.size());
    for (KinesisEntry& e : batch.entries) {
      PutRecordsRequestEntry entry;
      entry.Data = std::move(e.data);  // not needed once sent (a retry rebuilds from its members)
      entry.PartitionKey = e.partition_key;
      entry.ExplicitHashKey = e.explicit_hash_key;
      records.push_back(std::move(entry));
    }
    auto shared = std::make_shared<Batch>(std::move(batch));
    client->PutRecordsAsync(request, [this, shared](Result<PutRecordsOutput> result) {
      Completed(*shared, std::move(result));
    });
  }

  void Completed(Batch& batch, Result<PutRecordsOutput> result) {
    std::lock_guard lock(mu);
    const auto now = Clock::now();
    --in_flight;
    batcher.Done(batch.shard_id);
    wake.notify_one();
    const std::vector<PutRecordsResultEntry>* entries = result.ok() && result->Records ? &*result->Records : nullptr;
    if (result.ok() && (!entries || entries->size() != batch.entries.size())) {
      result = Error(ErrorCode::kInvalidResponse, "PutRecords answered " +
                                                      std::to_string(entries ? entries->size() : 0) + " results for " +
                                                      std::to_string(batch.entries.size()) + " records");
      for (KinesisEntry& e : batch.entries) {
        for (PendingPtr& p : e.members) Finish(p, result.error());
      }
      return;
    }
    for (size_t i = 0; i < batch.entries.size(); ++i) {
      KinesisEntry& e = batch.entries[i];
      if (!result.ok()) {
        for (PendingPtr& p : e.members) RetryOrFail(p, result.error(), false, now);
        continue;
      }
      const PutRecordsResultEntry& r = (*entries)[i];
      if (r.ErrorCode || !r.ShardId || !r.SequenceNumber) {
        Error error = Error::FromService(200, r.ErrorCode.value_or("InvalidResponse"), r.ErrorMessage.value_or(""));
        for (PendingPtr& p : e.members) RetryOrFail(p, error, false, now);
        continue;
      }
      ++stats.kinesis_records_put;
      const std::string& actual = *r.ShardId;
      if (actual != batch.shard_id) map_stale = true;  // the map is behind the stream's shards
      const internal::ShardInfo* landed = map.Find(actual);
      for (size_t j = 0; j < e.members.size(); ++j) {
        PendingPtr& p = e.members[j];
        RecordReceipt receipt{actual, *r.SequenceNumber, e.aggregated() ? j : 0, e.aggregated(), p->attempts};
        if (e.aggregated() && actual != batch.shard_id) {
          // Aggregated with records of another shard: kept only if the shard
          // it landed in owns its hash key (readers skip it otherwise), which
          // a shard unknown to the map is checked against after a refresh.
          if (!landed) {
            unverified.emplace_back(p, std::move(receipt));
            continue;
          }
          if (!Owns(*landed, p->hash)) {
            RetryOrFail(p, WrongShard(actual), true, now);
            continue;
          }
        }
        Finish(p, std::move(receipt));
      }
    }
  }

  void NotifyLoop() {
    std::unique_lock lock(mu);
    for (;;) {
      outcome_ready.wait(lock, [&] { return !outcomes.empty() || notifier_stopping; });
      if (outcomes.empty()) return;
      auto [p, result] = std::move(outcomes.front());
      outcomes.pop_front();
      lock.unlock();
      if (p->done) p->done(std::move(result));
      p.reset();
      lock.lock();
      --outstanding;
      space.notify_all();
    }
  }

  std::shared_ptr<Client> client;
  const ProducerOptions options;
  mutable std::mutex mu;
  std::condition_variable wake;           // the sender: work may be due
  std::condition_variable space;          // Add (memory) and FlushAndWait (outstanding)
  std::condition_variable outcome_ready;  // the notifier
  internal::ProducerBatcher batcher;      // guarded by mu
  internal::ShardMap map;                 // guarded by mu
  bool map_stale = false;                 // guarded by mu
  std::multimap<Clock::time_point, PendingPtr> retries;                  // guarded by mu
  std::vector<std::pair<PendingPtr, RecordReceipt>> unverified;         // guarded by mu
  std::deque<std::pair<PendingPtr, Result<RecordReceipt>>> outcomes;    // guarded by mu
  size_t buffered_bytes = 0;  // guarded by mu
  size_t outstanding = 0;     // guarded by mu
  size_t in_flight = 0;       // guarded by mu
  bool stopping = false;      // guarded by mu
  bool notifier_stopping = false;  // guarded by mu
  ProducerStats stats;        // guarded by mu
  std::thread sender, notifier;
};

Result<std::unique_ptr<Producer>> Producer::Create(std::shared_ptr<Client> client, ProducerOptions options) {
  if (!client) return Error(ErrorCode::kInvalidRequest, "no client");
  if (options.stream_name.empty() == options.stream_arn.empty()) {
    return Error(ErrorCode::kInvalidRequest, "name the stream by stream_name or stream_arn (one of them)");
  }
  if (options.batch_max_records == 0 || options.batch_max_records > 500 || options.batch_max_bytes == 0 ||
      options.max_in_flight_requests == 0 || options.max_in_flight_per_shard == 0 || options.max_record_bytes == 0 ||
      options.aggregation_max_count == 0) {
    return Error(ErrorCode::kInvalidRequest, "producer limits must be positive (batch_max_records at most 500)");
  }
  // An aggregated record, its partition key included, stays within a record's limit.
  options.aggregation_max_bytes = std::min(options.aggregation_max_bytes, options.max_record_bytes - std::min<size_t>(
                                                                                                        1024, options.max_record_bytes));
  auto map = internal::ShardMap::Read(*client, options.stream_name, options.stream_arn);
  if (!map.ok()) return map.error();
  auto impl = std::make_unique<Impl>(std::move(client), std::move(options), std::move(map.value()));
  impl->Start();
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() {
  FlushAndWait();
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    impl_->notifier_stopping = true;
    impl_->wake.notify_all();
    impl_->outcome_ready.notify_all();
  }
  impl_->sender.join();
  impl_->notifier.join();
}

std::future<Result<RecordReceipt>> Producer::Add(UserRecord record) {
  auto promise = std::make_shared<std::promise<Result<RecordReceipt>>>();
  auto future = promise->get_future();
  Add(std::move(record), [promise](Result<RecordReceipt> result) { promise->set_value(std::move(result)); });
  return future;
}

void Producer::Add(UserRecord record, std::function<void(Result<RecordReceipt>)> done) {
  impl_->Add(std::move(record), std::move(done));
}

void Producer::Flush() {
  std::lock_guard lock(impl_->mu);
  impl_->batcher.FlushAll(Clock::now());
  impl_->wake.notify_one();
}

bool Producer::FlushAndWait(std::chrono::milliseconds timeout) {
  Flush();
  std::unique_lock lock(impl_->mu);
  auto done = [this] { return impl_->outstanding == 0; };
  if (timeout == std::chrono::milliseconds::max()) {
    impl_->space.wait(lock, done);
    return true;
  }
  return impl_->space.wait_for(lock, timeout, done);
}

size_t Producer::outstanding() const {
  std::lock_guard lock(impl_->mu);
  return impl_->outstanding;
}

ProducerStats Producer::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace riffle::kinesis
