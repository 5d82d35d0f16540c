// StartStreamEncryption: starts server-side encryption (EncryptionType KMS
// and KeyId, reported by DescribeStream(Summary), PutRecord(s) and GetRecords).
#include "handlers/handlers.h"
#include "handlers/handler_support.h"

namespace riffle::handlers {

void HandleStartStreamEncryption(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::StartStreamEncryption>(body, reply);
  if (!input) return;
  auto address = ResolveStream(context, input->StreamName, input->StreamARN, reply);
  if (!address) return;
  context.streams.SetStreamEncryption(*address, true, *input->EncryptionType, *input->KeyId,
                                      ReplyWhenDone(std::move(reply)));
}

}  // namespace riffle::handlers
