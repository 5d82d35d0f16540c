// UpdateChannel: a channel's data freshness and logging settings.
#include "handlers/channel_wire.h"
#include "handlers/handler_support.h"
#include "handlers/handlers.h"

namespace riffle::handlers {

void HandleUpdateChannel(const Context& context, std::string_view body, Reply reply) {
  auto input = DecodeInput<wire::ops::UpdateChannel>(body, reply);
  if (!input) return;
  if (!AuthorizeAccount(context, reply)) return;
  core::ChannelUpdate update;
  if (input->S3DestinationConfiguration) {
    update.freshness_seconds = input->S3DestinationConfiguration->DataFreshnessInSeconds;
  }
  update.s3_tables = input->S3TablesDestinationConfiguration.has_value();
  if (input->LoggingConfiguration && input->LoggingConfiguration->CloudWatchLogs) {
    const wire::CloudWatchLogsUpdateInput& logs = *input->LoggingConfiguration->CloudWatchLogs;
    update.logging = logs.Enabled.value_or(false);
    update.log_group = logs.LogGroupName;
    update.log_stream = logs.LogStreamName;
  }
  auto channel = context.channels->Update(input->ChannelARN.value_or(""), update);
  if (!channel.ok()) return ReplyError(reply, channel.status());
  wire::UpdateChannelOutput output;
  output.ChannelDescription = ToWireChannel(*channel);
  ReplyWith(reply, output);
}

}  // namespace riffle::handlers
