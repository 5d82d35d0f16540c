// GetShardIterator: an authenticated position in a shard, valid 5 minutes.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleGetShardIterator(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::GetShardIterator>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  core::IteratorRequest request;
  const std::string& type = *input->ShardIteratorType;  // required and enum-checked by validation
  if (type == "AT_SEQUENCE_NUMBER") {
    request.type = core::IteratorType::kAtSequenceNumber;
  } else if (type == "AFTER_SEQUENCE_NUMBER") {
    request.type = core::IteratorType::kAfterSequenceNumber;
  } else if (type == "TRIM_HORIZON") {
    request.type = core::IteratorType::kTrimHorizon;
  } else if (type == "AT_TIMESTAMP") {
    request.type = core::IteratorType::kAtTimestamp;
  } else {
    request.type = core::IteratorType::kLatest;
  }
  request.starting_sequence_number = input->StartingSequenceNumber;
  request.timestamp_seconds = input->Timestamp;
  // A new iterator changes nothing: DryRun makes one and answers that it would have.
  context.streams.GetShardIterator(*address, *input->ShardId, request,
                                   [reply = std::move(reply), dry_run = input->DryRun.value_or(false)](
                                       StatusOr<std::string> iterator) {
                                     if (!iterator.ok()) return ReplyError(reply, iterator.status());
                                     if (dry_run) return reply(DryRunError());
                                     wire::GetShardIteratorOutput output;
                                     output.ShardIterator = std::move(*iterator);
                                     ReplyWith(reply, output);
                                   });
}

}  // namespace riffle::handlers
