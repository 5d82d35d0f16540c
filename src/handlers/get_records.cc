// GetRecords: records from an iterator's position, the next iterator, how
// far behind the tip the reader is, and child shards at a closed shard's end.
#include "handlers/get_records_body.h"
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleGetRecords(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::GetRecords>(body, reply);
  if (!input) return;
  auto page = context.streams.GetRecords(*input->ShardIterator, input->Limit);
  if (!page.ok()) return ReplyError(reply, page.status());
  reply(EncodeGetRecordsBody(*page));
}

}  // namespace riffle::handlers
