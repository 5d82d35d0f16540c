// PutRecords: up to 500 records in one request; one store write per shard
// touched; results in request order.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"
#include "handlers/put_record_entry.h"

namespace riffle::handlers {

namespace {
constexpr size_t kMaxRequestBytes = 10 * 1024 * 1024;
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
  context.streams.PutRecords(*address, std::move(entries), std::nullopt,
                             [reply = std::move(reply)](StatusOr<std::vector<core::PutResult>> results) {
                               if (!results.ok()) return ReplyError(reply, results.status());
                               wire::PutRecordsOutput output;
                               output.FailedRecordCount = 0;
                               output.Records.emplace();
                               output.Records->reserve(results->size());
                               if (!results->empty() && results->front().encrypted) output.EncryptionType = "KMS";
                               for (core::PutResult& r : *results) {
                                 wire::PutRecordsResultEntry entry;
                                 entry.ShardId = std::move(r.shard_id);
                                 entry.SequenceNumber = std::move(r.sequence_number);
                                 output.Records->push_back(std::move(entry));
                               }
                               ReplyWith(reply, output);
                             });
}

}  // namespace riffle::handlers
