// PutRecord: one record, routed by the MD5 of its partition key (or its
// ExplicitHashKey), acknowledged once synced.
#include "handlers/admission.h"
#include "handlers/handlers.h"
#include "handlers/handler_support.h"
#include "handlers/put_record_entry.h"
#include "handlers/traffic_meter.h"

namespace riffle::handlers {

void HandlePutRecord(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::PutRecord>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  std::vector<core::PutEntry> entries(1);
  std::string data = std::move(input->Data).value_or("");
  std::string partition_key = std::move(input->PartitionKey).value_or("");
  if (auto error = MakePutEntry(*address, data, partition_key, input->ExplicitHashKey, entries[0])) {
    return reply(std::move(*error));
  }
  context.streams.SpreadIfAuto(*address, entries);
  if (input->DryRun.value_or(false)) {
    return DryRunPut(context.streams, *address, std::move(entries), input->SequenceNumberForOrdering, std::move(reply));
  }
  if (context.admission != nullptr) {
    if (auto refused = context.admission->AdmitRecord(context.streams, *address, entries[0])) {
      if (context.traffic != nullptr && refused->type == "ProvisionedThroughputExceededException") {
        context.traffic->Count(address->account_id, address->region, address->name,
                               {{TrafficMeter::kWriteProvisionedThroughputExceeded, 1}});
        if (auto routing = context.streams.RoutePuts(*address, entries); routing.ok()) {
          context.traffic->CountShard(address->account_id, address->region, address->name,
                                      core::ShardIdString(routing->shards[0]),
                                      {{TrafficMeter::kWriteProvisionedThroughputExceeded, 1}});
        }
      }
      return reply(std::move(*refused));
    }
  }
  uint64_t bytes = entries[0].data.size() + entries[0].partition_key.size();
  context.streams.PutRecords(*address, std::move(entries), input->SequenceNumberForOrdering,
                             [reply = std::move(reply), traffic = context.traffic, address = *address, bytes,
                              start = std::chrono::steady_clock::now()](StatusOr<std::vector<core::PutResult>> results) {
                               if (!results.ok()) return ReplyError(reply, results.status());
                               if (!(*results)[0].error.ok()) return ReplyError(reply, (*results)[0].error);
                               if (traffic != nullptr) {
                                 traffic->Count(address.account_id, address.region, address.name,
                                                {{TrafficMeter::kIncomingRecords, 1},
                                                 {TrafficMeter::kIncomingBytes, bytes},
                                                 {TrafficMeter::kPutRecordSuccess, 1},
                                                 {TrafficMeter::kPutRecordBytes, bytes},
                                                 {TrafficMeter::kPutRecordLatencyUs, TrafficMeter::MicrosSince(start)}});
                                 traffic->CountShard(address.account_id, address.region, address.name,
                                                     (*results)[0].shard_id,
                                                     {{TrafficMeter::kIncomingRecords, 1},
                                                      {TrafficMeter::kIncomingBytes, bytes}});
                               }
                               wire::PutRecordOutput output;
                               output.ShardId = std::move((*results)[0].shard_id);
                               output.SequenceNumber = std::move((*results)[0].sequence_number);
                               if ((*results)[0].encrypted) output.EncryptionType = "KMS";
                               ReplyWith(reply, output);
                             });
}

}  // namespace riffle::handlers
