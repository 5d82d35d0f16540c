// GetRecords: records from an iterator's position, the next iterator, how
// far behind the tip the reader is, and child shards at a closed shard's end.
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
  std::optional<core::ShardRef> charge_to;
  if (context.admission != nullptr) {
    if (auto refused = context.admission->AdmitRead(context.streams, *input->ShardIterator, charge_to)) {
      return reply(std::move(*refused));
    }
  }
  Admission* admission = context.admission;
  // The iterator names the stream's account and name; its region is the
  // request's (a reader asks in the region it got the iterator from).
  std::optional<core::StreamAddress> counted;
  if (context.traffic != nullptr) {
    if (auto iterator = context.streams.PeekIterator(*input->ShardIterator)) {
      counted = core::StreamAddress{iterator->account_id, context.scope.region, iterator->stream_name};
    }
  }
  context.streams.GetRecords(
      *input->ShardIterator, input->Limit, UINT64_MAX,
      [reply = std::move(reply), charge_to, admission, traffic = context.traffic,
       counted = std::move(counted)](StatusOr<core::RecordsPage> page) {
        if (!page.ok()) return ReplyError(reply, page.status());
        if (charge_to || (counted && !page->records.empty())) {
          int64_t bytes = 0;
          for (const core::RecordOut& r : page->records) {
            bytes += static_cast<int64_t>(r.data.size() + r.partition_key.size());
          }
          if (charge_to) admission->ChargeRead(*charge_to, bytes);
          if (counted && !page->records.empty()) {
            traffic->CountOut(counted->account_id, counted->region, counted->name, page->records.size(),
                              static_cast<uint64_t>(bytes));
          }
        }
        reply(EncodeGetRecordsBody(*page));
      });
}

}  // namespace riffle::handlers
