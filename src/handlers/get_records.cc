// GetRecords: records from an iterator's position, the next iterator, how
// far behind the tip the reader is, and child shards at a closed shard's end.
#include <algorithm>
#include <chrono>

#include "handlers/admission.h"
#include "handlers/get_records_body.h"
#include "handlers/handlers.h"
#include "handlers/handler_support.h"
#include "handlers/traffic_meter.h"

namespace riffle::handlers {

void HandleGetRecords(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::GetRecords>(body, reply);
  if (!input) return;
  if (context.caller) {
    // The stream the iterator reads, in the request's region (an iterator
    // names its account and stream; one that does not decode is refused below).
    if (auto it = context.streams.PeekIterator(*input->ShardIterator)) {
      if (!AuthorizeStream(context, {it->account_id, context.scope.region, it->stream_name}, reply)) return;
    }
  }
  if (input->DryRun.value_or(false)) {
    // The iterator's checks (valid, not expired, its stream and shard still
    // there); the one record read is not returned nor charged.
    return context.streams.GetRecords(*input->ShardIterator, 1, UINT64_MAX,
                                      [reply = std::move(reply)](StatusOr<core::RecordsPage> page) {
                                        if (!page.ok()) return ReplyError(reply, page.status());
                                        reply(DryRunError());
                                      });
  }
  const auto start = std::chrono::steady_clock::now();
  // The iterator names the stream's account and name; its region is the
  // request's (a reader asks in the region it got the iterator from).
  std::optional<core::StreamAddress> counted;
  std::string shard_id;  // of `counted`
  if (context.traffic != nullptr) {
    if (auto iterator = context.streams.PeekIterator(*input->ShardIterator)) {
      counted = core::StreamAddress{iterator->account_id, context.scope.region, iterator->stream_name};
      shard_id = core::ShardIdString(iterator->shard_index);
    }
  }
  std::optional<core::ShardRef> charge_to;
  if (context.admission != nullptr) {
    if (auto refused = context.admission->AdmitRead(context.streams, *input->ShardIterator, charge_to)) {
      if (counted && refused->type == "ProvisionedThroughputExceededException") {
        context.traffic->Count(counted->account_id, counted->region, counted->name,
                               {{TrafficMeter::kReadProvisionedThroughputExceeded, 1}});
        context.traffic->CountShard(counted->account_id, counted->region, counted->name, shard_id,
                                    {{TrafficMeter::kReadProvisionedThroughputExceeded, 1}});
      }
      return reply(std::move(*refused));
    }
  }
  Admission* admission = context.admission;
  context.streams.GetRecords(
      *input->ShardIterator, input->Limit, UINT64_MAX,
      [reply = std::move(reply), charge_to, admission, traffic = context.traffic, counted = std::move(counted),
       shard_id = std::move(shard_id), start](StatusOr<core::RecordsPage> page) {
        if (!page.ok()) return ReplyError(reply, page.status());
        if (charge_to || counted) {
          uint64_t bytes = 0;
          for (const core::RecordOut& r : page->records) bytes += r.data.size() + r.partition_key.size();
          if (charge_to) admission->ChargeRead(*charge_to, static_cast<int64_t>(bytes));
          if (counted) {
            const uint64_t records = page->records.size();
            // The age of the last record handed out (0 for none), as Kinesis reports it.
            int64_t age_ms = 0;
            if (records > 0) {
              const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
              age_ms = std::max<int64_t>(0, now_ms - page->records.back().arrival_ms);
            }
            traffic->Count(counted->account_id, counted->region, counted->name,
                           {{TrafficMeter::kOutgoingRecords, records},
                            {TrafficMeter::kOutgoingBytes, bytes},
                            {TrafficMeter::kGetRecordsSuccess, 1},
                            {TrafficMeter::kGetRecordsRecords, records},
                            {TrafficMeter::kGetRecordsBytes, bytes},
                            {TrafficMeter::kGetRecordsLatencyUs, TrafficMeter::MicrosSince(start)},
                            {TrafficMeter::kGetRecordsIteratorAgeMs, static_cast<uint64_t>(age_ms)}});
            traffic->CountShard(counted->account_id, counted->region, counted->name, shard_id,
                                {{TrafficMeter::kOutgoingRecords, records},
                                 {TrafficMeter::kOutgoingBytes, bytes},
                                 {TrafficMeter::kGetRecordsIteratorAgeMs, static_cast<uint64_t>(age_ms)}});
          }
        }
        reply(EncodeGetRecordsBody(*page));
      });
}

}  // namespace riffle::handlers
