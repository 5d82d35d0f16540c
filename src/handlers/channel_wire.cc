#include "handlers/channel_wire.h"

#include "handlers/handler_support.h"

namespace riffle::handlers {
core::ChannelRequest ToChannelRequest(const wire::CreateChannelInput& in, const RequestScope& scope) {
  core::ChannelRequest r;
  r.account_id = scope.account_id;
  r.region = scope.region;
  r.name = in.ChannelName.value_or("");
  r.role_arn = in.ServiceExecutionRoleARN.value_or("");
  for (const wire::ChannelStreamConfiguration& s : in.StreamConfigurationList.value_or(
           std::vector<wire::ChannelStreamConfiguration>{})) {
    core::ChannelRequest::StreamConfig config;
    config.stream_arn = s.StreamARN.value_or("");
    if (s.RecordConfiguration) {
      config.format = s.RecordConfiguration->RecordFormatType.value_or("");
      config.schema_arn = s.RecordConfiguration->GSRSchemaARN;
    }
    r.streams.push_back(std::move(config));
  }
  r.s3_tables = in.S3TablesDestinationConfiguration.has_value();
  if (in.S3DestinationConfiguration) {
    const wire::S3DestinationConfiguration& d = *in.S3DestinationConfiguration;
    core::ChannelRequest::S3 s3;
    if (d.StorageConfiguration) {
      const wire::S3StorageConfiguration& st = *d.StorageConfiguration;
      s3.bucket_arn = st.BucketARN.value_or("");
      s3.bucket_owner = st.ExpectedBucketOwner.value_or("");
      s3.compression = st.CompressionType.value_or("");
      s3.key_template = st.OutputKeyTemplate;
      s3.storage_class = st.StorageClass;
    }
    s3.freshness_seconds = d.DataFreshnessInSeconds;
    if (d.DeadLetterQueueS3Configuration) {
      s3.dlq = true;
      s3.dlq_bucket_arn = d.DeadLetterQueueS3Configuration->BucketARN.value_or("");
      s3.dlq_owner = d.DeadLetterQueueS3Configuration->ExpectedBucketOwner.value_or("");
      s3.dlq_prefix = d.DeadLetterQueueS3Configuration->ErrorOutputPrefix;
    }
    r.s3 = std::move(s3);
  }
  if (in.EncryptionConfiguration) {
    r.encryption_type = in.EncryptionConfiguration->EncryptionType.value_or("");
    r.kms_key_id = in.EncryptionConfiguration->KeyId;
  }
  if (in.LoggingConfiguration && in.LoggingConfiguration->CloudWatchLogs) {
    const wire::CloudWatchLogs& logs = *in.LoggingConfiguration->CloudWatchLogs;
    r.logging = logs.Enabled.value_or(false);
    r.log_group = logs.LogGroupName;
    r.log_stream = logs.LogStreamName;
  }
  if (in.Tags) r.tags.insert(in.Tags->begin(), in.Tags->end());
  return r;
}

wire::ChannelDescription ToWireChannel(const core::ChannelView& v) {
  const core::ChannelState& c = v.state;
  wire::ChannelDescription d;
  d.ChannelName = c.name;
  d.ChannelARN = v.arn;
  d.ChannelId = c.id;
  d.ChannelStatus = core::ChannelStatusName(c.status);
  d.ChannelCreationTimestamp = ToSeconds(c.created_ms);
  d.ServiceExecutionRoleARN = c.role_arn;
  wire::ChannelStreamDescription stream;
  stream.StreamARN = v.stream_arn;
  stream.StreamCreationTimestamp = ToSeconds(c.stream_created_ms);
  stream.RecordConfiguration.emplace();
  stream.RecordConfiguration->RecordFormatType = core::RecordFormatName(c.format);
  d.StreamConfigurationList.emplace().push_back(std::move(stream));
  wire::CloudWatchLogs logs;
  logs.Enabled = c.logging;
  if (c.logging) {
    logs.LogGroupName = c.log_group;
    logs.LogStreamName = c.log_stream;
  }
  d.LoggingConfiguration.emplace().CloudWatchLogs = std::move(logs);
  if (!c.status_reason.empty()) d.ChannelStatusReason = c.status_reason;
  wire::S3DestinationDescription s3;
  s3.DataFreshnessInSeconds = c.freshness_seconds;
  wire::DeadLetterQueueS3Configuration dlq;
  dlq.BucketARN = c.dlq_bucket_arn;
  dlq.ExpectedBucketOwner = c.dlq_owner;
  dlq.ErrorOutputPrefix = c.dlq_prefix;
  s3.DeadLetterQueueS3Configuration = std::move(dlq);
  wire::S3StorageConfiguration storage;
  storage.BucketARN = c.bucket_arn;
  storage.ExpectedBucketOwner = c.bucket_owner;
  storage.CompressionType = core::CompressionName(c.compression);
  storage.OutputKeyTemplate = c.key_template;
  storage.StorageClass = core::StorageClassName(c.storage_class);
  s3.StorageConfiguration = std::move(storage);
  d.S3DestinationConfiguration = std::move(s3);
  if (c.kms) {
    wire::ChannelEncryptionConfiguration e;
    e.EncryptionType = "KMS";
    e.KeyId = c.kms_key_id;
    d.EncryptionConfiguration = std::move(e);
  }
  return d;
}

wire::ChannelSummary ToWireChannelSummary(const core::ChannelView& v) {
  wire::ChannelSummary s;
  s.ChannelName = v.state.name;
  s.ChannelARN = v.arn;
  s.ChannelId = v.state.id;
  s.ChannelStatus = core::ChannelStatusName(v.state.status);
  s.ChannelCreationTimestamp = ToSeconds(v.state.created_ms);
  s.ChannelDestinationType = "S3";
  wire::ChannelStreamIdentifier stream;
  stream.StreamARN = v.stream_arn;
  stream.StreamCreationTimestamp = ToSeconds(v.state.stream_created_ms);
  s.Streams.emplace().push_back(std::move(stream));
  if (!v.state.status_reason.empty()) s.ChannelStatusReason = v.state.status_reason;
  return s;
}

}  // namespace riffle::handlers
