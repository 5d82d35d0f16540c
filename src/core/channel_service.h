// ChannelService: CreateChannel, DescribeChannel, ListChannels,
// UpdateChannel and DeleteChannel — channels that deliver a stream's records
// to an S3-compatible bucket (docs/channels.md). Delivery itself is
// ChannelDelivery (channel_delivery.h).
//
// Each channel is one metadata key, `channel/<account>/<region>/<name>`
// (docs/storage-format.md), written compare-and-set; reads come from the
// node's copy of the metadata StreamService keeps (after a barrier for the
// operations), so delivery's passes cost no store calls. A
// channel is CREATING for --create-stream-ms, UPDATING for
// --update-stream-ms after UpdateChannel and DELETING for --delete-stream-ms
// before it disappears; those transitions are computed when read (AsOf).
//
// Control plane: methods may block on the store. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/channel_state.h"
#include "core/clock.h"
#include "core/stream_service.h"
#include "store/store.h"

namespace riffle::core {

// CreateChannel's input, as given (members absent from the request are
// nullopt); ChannelService checks it.
struct ChannelRequest {
  std::string account_id;
  std::string region;
  std::string name;
  std::string role_arn;
  struct StreamConfig {
    std::string stream_arn;
    std::string format;  // RecordFormatType
    std::optional<std::string> schema_arn;
  };
  std::vector<StreamConfig> streams;
  bool s3_tables = false;  // S3TablesDestinationConfiguration was given
  struct S3 {
    std::string bucket_arn;
    std::string bucket_owner;
    std::string compression;
    std::optional<std::string> key_template;
    std::optional<std::string> storage_class;
    std::optional<int64_t> freshness_seconds;
    bool dlq = false;
    std::string dlq_bucket_arn;
    std::string dlq_owner;
    std::optional<std::string> dlq_prefix;
  };
  std::optional<S3> s3;
  std::optional<std::string> encryption_type;
  std::optional<std::string> kms_key_id;
  std::optional<bool> logging;
  std::optional<std::string> log_group;
  std::optional<std::string> log_stream;
  std::map<std::string, std::string> tags;
};

// A channel as the API describes it.
struct ChannelView {
  ChannelState state;  // status as of now; defaults filled in (template, DLQ, log names)
  std::string arn;
  std::string stream_arn;
};

struct ChannelListing {
  std::vector<ChannelView> channels;
  std::optional<std::string> next_token;
};

struct ChannelUpdate {
  std::optional<int64_t> freshness_seconds;  // S3DestinationConfiguration
  bool s3_tables = false;                    // S3TablesDestinationConfiguration was given
  std::optional<bool> logging;
  std::optional<std::string> log_group;
  std::optional<std::string> log_stream;
};

// A channel ARN's parts: arn:aws:kinesis:<region>:<account>:channel/<id>.
struct ChannelArnParts {
  std::string region;
  std::string account_id;
  std::string id;
};
std::optional<ChannelArnParts> ParseChannelArn(const std::string& arn);
std::string ChannelArn(const std::string& region, const std::string& account_id, const std::string& id);

class ChannelService {
 public:
  ChannelService(StreamService& streams, const Clock& clock, ServiceOptions options);

  StatusOr<ChannelView> Create(const ChannelRequest& request);
  StatusOr<ChannelView> Describe(const std::string& channel_arn);
  // `stream_arns`: channels of any of these streams (all when empty).
  StatusOr<ChannelListing> List(const std::string& account_id, const std::string& region,
                                const std::vector<std::string>& stream_arns, std::optional<int64_t> max_results,
                                const std::optional<std::string>& next_token);
  StatusOr<ChannelView> Update(const std::string& channel_arn, const ChannelUpdate& update);
  Status Delete(const std::string& channel_arn);
  // Channels of the account and region not yet gone (DescribeLimits' ChannelCount).
  StatusOr<int64_t> Count(const std::string& account_id, const std::string& region);
  // Channels of the stream not yet gone, as this node last saw them (DescribeStreamSummary).
  int64_t CountForStream(const StreamAddress& address);
  // DeleteStream's guard: ResourceInUse while a channel delivers the stream.
  Status CheckStreamDeletable(const StreamAddress& address, uint64_t incarnation);

  // One stored channel and its key's revision.
  struct Stored {
    std::string key;
    uint64_t revision = 0;
    ChannelState state;  // as stored (status not advanced)
  };
  // Every channel of every account, as this node last saw them (for
  // delivery; no store call); undecodable ones skipped.
  StatusOr<std::vector<Stored>> All();
  // The channel as of `now`: CREATING/UPDATING end when due; nullopt once a
  // DELETING channel's delay is over.
  static std::optional<ChannelState> AsOf(const ChannelState& c, int64_t now);
  // The stream address of a stored channel.
  static StreamAddress StreamOf(const std::string& channel_key, const ChannelState& c);
  // Removes a gone channel: its positions, then its record (if still at `revision`).
  Status Remove(const Stored& channel);
  // Marks a channel FAILED with `reason` (compare-and-set on its revision).
  Status Fail(const Stored& channel, const std::string& reason);

 private:
  // From this node's copy of the metadata; `fresh`: after a barrier.
  StatusOr<std::vector<Stored>> Scan(const std::string& prefix, bool fresh = true);
  StatusOr<Stored> FindById(const std::string& channel_arn);
  StatusOr<uint64_t> Write(store::MetaWrite write);
  ChannelView View(const std::string& key, const ChannelState& c, int64_t now) const;

  StreamService& streams_;
  const Clock& clock_;
  const ServiceOptions options_;
  std::mutex create_mu_;  // one CreateChannel at a time on this node (name and per-stream checks)
};

}  // namespace riffle::core
