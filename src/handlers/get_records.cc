// GetRecords: records from an iterator's position, the next iterator, how
// far behind the tip the reader is, and child shards at a closed shard's end.
#include "handlers/admission.h"
#include "handlers/get_records_body.h"
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleGetRecords(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::GetRecords>(body, reply);
  if (!input) return;
  std::optional<core::ShardRef> charge_to;
  if (context.admission != nullptr) {
    if (auto refused = context.admission->AdmitRead(context.streams, *input->ShardIterator, charge_to)) {
      return reply(std::move(*refused));
    }
  }
  auto page = context.streams.GetRecords(*input->ShardIterator, input->Limit);
  if (!page.ok()) return ReplyError(reply, page.status());
  if (charge_to) {
    int64_t bytes = 0;
    for (const core::RecordOut& r : page->records) bytes += static_cast<int64_t>(r.data.size() + r.partition_key.size());
    context.admission->ChargeRead(*charge_to, bytes);
  }
  reply(EncodeGetRecordsBody(*page));
}

}  // namespace riffle::handlers
