#include "client/producer_batcher.h"

#include <algorithm>

namespace riffle::kinesis::internal {

void ProducerBatcher::PushAlone(Queue& q, PendingPtr record) {
  KinesisEntry entry;
  entry.data = record->record.data;
  entry.partition_key = record->record.partition_key;
  entry.explicit_hash_key = record->record.explicit_hash_key;
  entry.members.push_back(std::move(record));
  q.ready_bytes += entry.bytes();
  q.ready.push_back(std::move(entry));
}

void ProducerBatcher::Seal(Queue& q) {
  if (q.aggregating.empty()) return;
  if (q.aggregating.size() == 1) {
    PushAlone(q, std::move(q.aggregating.front()));
  } else {
    KinesisEntry entry;
    entry.data = q.aggregator.Serialize();
    // The first record's key, and its hash key as ExplicitHashKey: the
    // aggregated record lands on the shard that owns the first record.
    entry.partition_key = q.aggregating.front()->record.partition_key;
    entry.explicit_hash_key = FormatHashKey(q.aggregating.front()->hash);
    entry.members = std::move(q.aggregating);
    q.ready_bytes += entry.bytes();
    q.ready.push_back(std::move(entry));
  }
  q.aggregating.clear();
  q.aggregator.Clear();
}

void ProducerBatcher::Add(const std::string& shard_id, PendingPtr record, ProducerClock::time_point now) {
  Queue& q = queues_[shard_id];
  if (!q.deadline) q.deadline = now + limits_.max_buffered_time;
  if (!limits_.aggregate) {
    PushAlone(q, std::move(record));
    return;
  }
  const UserRecord& r = record->record;
  if (!q.aggregating.empty() && (q.aggregator.SizeWith(r) > limits_.aggregation_max_bytes ||
                                 q.aggregating.size() >= limits_.aggregation_max_count)) {
    Seal(q);
  }
  if (q.aggregating.empty() && q.aggregator.SizeWith(r) > limits_.aggregation_max_bytes) {
    PushAlone(q, std::move(record));  // too big to share a record: it goes alone
    return;
  }
  q.aggregator.Add(r);
  q.aggregating.push_back(std::move(record));
}

void ProducerBatcher::FlushAll(ProducerClock::time_point now) {
  for (auto& [id, q] : queues_) {
    if (!q.empty()) q.deadline = now;
  }
}

std::vector<Batch> ProducerBatcher::TakeReady(ProducerClock::time_point now, size_t budget) {
  std::vector<Batch> out;
  for (auto it = queues_.begin(); it != queues_.end() && out.size() < budget;) {
    Queue& q = it->second;
    const bool due = q.deadline && *q.deadline <= now;
    if (due) Seal(q);
    while (out.size() < budget && q.in_flight < limits_.max_in_flight_per_shard && !q.ready.empty() &&
           (due || q.full(limits_))) {
      Batch batch;
      batch.shard_id = it->first;
      size_t bytes = 0;
      while (!q.ready.empty() && batch.entries.size() < limits_.batch_max_records &&
             (batch.entries.empty() || bytes + q.ready.front().bytes() <= limits_.batch_max_bytes)) {
        bytes += q.ready.front().bytes();
        batch.entries.push_back(std::move(q.ready.front()));
        q.ready.pop_front();
      }
      q.ready_bytes -= bytes;
      ++q.in_flight;
      out.push_back(std::move(batch));
    }
    if (q.empty()) q.deadline.reset();
    if (q.empty() && q.in_flight == 0) {
      it = queues_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void ProducerBatcher::Done(const std::string& shard_id) {
  auto it = queues_.find(shard_id);
  if (it == queues_.end()) return;
  if (it->second.in_flight > 0) --it->second.in_flight;
  if (it->second.empty() && it->second.in_flight == 0) queues_.erase(it);
}

std::optional<ProducerClock::time_point> ProducerBatcher::NextDeadline() const {
  std::optional<ProducerClock::time_point> out;
  for (const auto& [id, q] : queues_) {
    if (!q.deadline || q.in_flight >= limits_.max_in_flight_per_shard) continue;
    if (!out || *q.deadline < *out) out = q.deadline;
  }
  return out;
}

size_t ProducerBatcher::buffered_records() const {
  size_t n = 0;
  for (const auto& [id, q] : queues_) {
    n += q.aggregating.size();
    for (const auto& e : q.ready) n += e.members.size();
  }
  return n;
}

}  // namespace riffle::kinesis::internal
