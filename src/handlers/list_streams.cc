// ListStreams: stream names of the account and region, in name order, paged.
#include "handlers/handlers.h"
#include "handlers/handler_support.h"
#include "protocol/base64.h"

namespace riffle::handlers {

void HandleListStreams(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::ListStreams>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  // NextToken is the (base64) name of the last stream of the previous page.
  std::optional<std::string> start = input->ExclusiveStartStreamName;
  if (input->NextToken) {
    auto decoded = protocol::Base64Decode(*input->NextToken);
    if (!decoded || decoded->empty()) {
      return reply(protocol::ApiError::InvalidArgument("Invalid NextToken."));
    }
    start = *decoded;
  }
  core::StreamList list =
      context.streams.ListStreams(context.scope.account_id, context.scope.region, input->Limit, start);
  wire::ListStreamsOutput output;
  output.StreamNames.emplace();
  output.StreamSummaries.emplace();
  for (const core::StreamSummary& s : list.streams) {
    output.StreamNames->push_back(s.name);
    wire::StreamSummary summary;
    summary.StreamName = s.name;
    summary.StreamARN = s.arn;
    summary.StreamStatus = core::StreamStatusName(s.status);
    summary.StreamModeDetails = wire::StreamModeDetails{};
    summary.StreamModeDetails->StreamMode = core::StreamModeName(s.mode);
    summary.StreamCreationTimestamp = ToSeconds(s.created_ms);
    output.StreamSummaries->push_back(std::move(summary));
  }
  output.HasMoreStreams = list.has_more;
  if (list.has_more && !list.streams.empty()) output.NextToken = protocol::Base64Encode(list.streams.back().name);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
