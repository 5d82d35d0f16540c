// UpdateMaxRecordSize: the largest record (data + partition key) a stream
// accepts, 1024 to 10240 KiB.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleUpdateMaxRecordSize(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UpdateMaxRecordSize>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, std::nullopt, input->StreamARN, reply);
  if (!address) return;
  context.streams.UpdateMaxRecordSize(*address, *input->MaxRecordSizeInKiB, ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
