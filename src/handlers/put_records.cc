// PutRecords: up to 500 records in one request; one store write per shard
// touched; results in request order.
#include <algorithm>

#include "handlers/admission.h"
#include "handlers/handlers.h"
#include "handlers/handler_support.h"
#include "handlers/put_record_entry.h"
#include "handlers/traffic_meter.h"

namespace riffle::handlers {

namespace {
constexpr size_t kMaxRequestBytes = 10 * 1024 * 1024;

// The output for `results` of the stored entries, in request order with the
// `failures` (empty: none failed) in the places of the entries not stored.
wire::PutRecordsOutput PutRecordsOutputOf(std::vector<core::PutResult> results,
                                          std::vector<std::optional<EntryFailure>> failures) {
  wire::PutRecordsOutput output;
  output.FailedRecordCount = 0;
  output.Records.emplace();
  output.Records->reserve(failures.empty() ? results.size() : failures.size());
  for (const core::PutResult& r : results) {
    if (r.error.ok()) {
      if (r.encrypted) output.EncryptionType = "KMS";
      break;
    }
  }
  size_t next = 0;
  size_t count = failures.empty() ? results.size() : failures.size();
  for (size_t i = 0; i < count; ++i) {
    wire::PutRecordsResultEntry entry;
    if (!failures.empty() && failures[i]) {
      entry.ErrorCode = std::move(failures[i]->error_code);
      entry.ErrorMessage = std::move(failures[i]->error_message);
      ++*output.FailedRecordCount;
    } else if (core::PutResult& r = results[next++]; !r.error.ok()) {
      // Not stored (the store failed for this shard): the code and text AWS
      // gives a record it could not take.
      entry.ErrorCode = "InternalFailure";
      entry.ErrorMessage = "Internal service failure.";
      ++*output.FailedRecordCount;
    } else {
      entry.ShardId = std::move(r.shard_id);
      entry.SequenceNumber = std::move(r.sequence_number);
    }
    output.Records->push_back(std::move(entry));
  }
  return output;
}

// The per-shard counts of one PutRecords: the records and bytes stored in
// each shard (`sizes[i]` is the size of the entry of `results[i]`), and the
// entries throttled in each.
void CountShards(TrafficMeter& traffic, const core::StreamAddress& address,
                 const std::vector<core::PutResult>& results, const std::vector<uint32_t>& sizes,
                 const std::vector<std::optional<EntryFailure>>& failures) {
  std::vector<std::pair<std::string_view, uint32_t>> stored;  // shard id, entry size
  stored.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].error.ok()) stored.emplace_back(results[i].shard_id, sizes[i]);
  }
  std::sort(stored.begin(), stored.end());
  for (size_t i = 0; i < stored.size();) {
    uint64_t records = 0, bytes = 0;
    size_t j = i;
    for (; j < stored.size() && stored[j].first == stored[i].first; ++j) {
      ++records;
      bytes += stored[j].second;
    }
    traffic.CountShard(address.account_id, address.region, address.name, stored[i].first,
                       {{TrafficMeter::kIncomingRecords, records}, {TrafficMeter::kIncomingBytes, bytes}});
    i = j;
  }
  std::vector<uint32_t> throttled;
  for (const auto& failure : failures) {
    if (failure && failure->error_code == "ProvisionedThroughputExceededException") throttled.push_back(failure->shard);
  }
  std::sort(throttled.begin(), throttled.end());
  for (size_t i = 0; i < throttled.size();) {
    size_t j = i;
    while (j < throttled.size() && throttled[j] == throttled[i]) ++j;
    traffic.CountShard(address.account_id, address.region, address.name, core::ShardIdString(throttled[i]),
                       {{TrafficMeter::kWriteProvisionedThroughputExceeded, j - i}});
    i = j;
  }
}
}  // namespace

void HandlePutRecords(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::PutRecords>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  std::vector<wire::PutRecordsRequestEntry>& records = *input->Records;
  std::vector<core::PutEntry> entries(records.size());
  size_t total = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    std::string data = std::move(records[i].Data).value_or("");
    std::string partition_key = std::move(records[i].PartitionKey).value_or("");
    total += data.size() + partition_key.size();
    if (auto error = MakePutEntry(*address, data, partition_key, records[i].ExplicitHashKey, entries[i])) {
      return reply(std::move(*error));
    }
  }
  if (total > kMaxRequestBytes) {
    return reply(protocol::ApiError::InvalidArgument("Records size exceeds 10 MiB limit for stream " + address->name +
                                                     " under account " + address->account_id + "."));
  }
  context.streams.SpreadIfAuto(*address, entries);
  if (input->DryRun.value_or(false)) {
    return DryRunPut(context.streams, *address, std::move(entries), std::nullopt, std::move(reply));
  }
  // Entries refused by Admission (throttled or failed on purpose) are
  // answered with their error and never stored; the rest are written.
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::optional<EntryFailure>> failures;
  if (context.admission != nullptr) failures = context.admission->JudgeEntries(context.streams, *address, entries);
  // Entries refused before the store: throttled, or failed on purpose.
  uint64_t throttled = 0, refused = 0;
  for (const auto& failure : failures) {
    if (!failure) continue;
    ++refused;
    if (failure->error_code == "ProvisionedThroughputExceededException") ++throttled;
  }
  const uint64_t total_records = entries.size();
  if (!failures.empty()) {
    size_t kept = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (failures[i]) continue;
      if (kept != i) entries[kept] = std::move(entries[i]);
      ++kept;
    }
    entries.resize(kept);
    if (entries.empty()) {
      if (context.traffic != nullptr) {
        context.traffic->Count(address->account_id, address->region, address->name,
                               {{TrafficMeter::kPutRecordsSuccess, 1},
                                {TrafficMeter::kPutRecordsTotalRecords, total_records},
                                {TrafficMeter::kPutRecordsFailedRecords, refused - throttled},
                                {TrafficMeter::kPutRecordsThrottledRecords, throttled},
                                {TrafficMeter::kWriteProvisionedThroughputExceeded, throttled},
                                {TrafficMeter::kPutRecordsLatencyUs, TrafficMeter::MicrosSince(start)}});
        CountShards(*context.traffic, *address, {}, {}, failures);
      }
      return ReplyWith(reply, PutRecordsOutputOf({}, std::move(failures)));
    }
  }
  // Each entry's size, for the records counted in (those stored).
  std::vector<uint32_t> sizes;
  if (context.traffic != nullptr) {
    sizes.reserve(entries.size());
    for (const core::PutEntry& entry : entries) sizes.push_back(entry.data.size() + entry.partition_key.size());
  }
  context.streams.PutRecords(*address, std::move(entries), std::nullopt,
                             [reply = std::move(reply), failures = std::move(failures), traffic = context.traffic,
                              address = *address, sizes = std::move(sizes), start, total_records, refused,
                              throttled](StatusOr<std::vector<core::PutResult>> results) mutable {
                               if (!results.ok()) return ReplyError(reply, results.status());
                               if (traffic != nullptr) {
                                 uint64_t records = 0, bytes = 0;
                                 for (size_t i = 0; i < results->size(); ++i) {
                                   if (!(*results)[i].error.ok()) continue;
                                   ++records;
                                   bytes += sizes[i];
                                 }
                                 const uint64_t failed = refused - throttled + (results->size() - records);
                                 traffic->Count(address.account_id, address.region, address.name,
                                                {{TrafficMeter::kIncomingRecords, records},
                                                 {TrafficMeter::kIncomingBytes, bytes},
                                                 {TrafficMeter::kPutRecordsSuccess, 1},
                                                 {TrafficMeter::kPutRecordsBytes, bytes},
                                                 {TrafficMeter::kPutRecordsTotalRecords, total_records},
                                                 {TrafficMeter::kPutRecordsSuccessfulRecords, records},
                                                 {TrafficMeter::kPutRecordsFailedRecords, failed},
                                                 {TrafficMeter::kPutRecordsThrottledRecords, throttled},
                                                 {TrafficMeter::kWriteProvisionedThroughputExceeded, throttled},
                                                 {TrafficMeter::kPutRecordsLatencyUs, TrafficMeter::MicrosSince(start)}});
                                 CountShards(*traffic, address, *results, sizes, failures);
                               }
                               ReplyWith(reply, PutRecordsOutputOf(std::move(*results), std::move(failures)));
                             });
}

}  // namespace riffle::handlers
