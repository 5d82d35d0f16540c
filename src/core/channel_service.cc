#include "core/channel_service.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <regex>

#include "core/byte_codec.h"
#include "core/channel_codec.h"
#include "core/channel_key_template.h"

namespace riffle::core {
namespace {

constexpr int64_t kMinFreshness = 300;
constexpr int64_t kMaxFreshness = 900;
constexpr size_t kMaxChannelTags = 200;
constexpr int64_t kDefaultListing = 100;
constexpr int64_t kNextTokenLifetimeMs = 300 * 1000;
constexpr uint8_t kTokenKind = 'H';  // distinguishes it from the consumer and shard tokens

std::string NewChannelId() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t a, b;
  {
    std::lock_guard lock(mu);
    a = rng();
    b = rng();
  }
  b = (b & 0xffffffffffff0fffull) | 0x0000000000004000ull;  // version 4 (in the third group)
  a = (a & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // variant 10
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(b >> 32),
                static_cast<unsigned>((b >> 16) & 0xffff), static_cast<unsigned>(b & 0xffff),
                static_cast<unsigned>(a >> 48), static_cast<unsigned long long>(a & 0xffffffffffffull));
  return out;
}

bool Matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

const char* kBucketArnPattern = "arn:aws[-a-z0-9]*:s3:::[a-z0-9._-]{3,63}";
const char* kRoleArnPattern = "arn:aws[-a-z0-9]*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+";

std::optional<RecordFormat> FormatOf(const std::string& s) {
  if (s == "BYTE_ARRAY") return RecordFormat::kByteArray;
  if (s == "JSON") return RecordFormat::kJson;
  if (s == "STRING") return RecordFormat::kString;
  return std::nullopt;
}

std::optional<ObjectCompression> CompressionOf(const std::string& s) {
  if (s == "NONE") return ObjectCompression::kNone;
  if (s == "GZIP") return ObjectCompression::kGzip;
  if (s == "ZSTD") return ObjectCompression::kZstd;
  return std::nullopt;
}

std::optional<StorageClass> StorageClassOf(const std::string& s) {
  if (s == "STANDARD") return StorageClass::kStandard;
  if (s == "INTELLIGENT_TIERING") return StorageClass::kIntelligentTiering;
  if (s == "GLACIER_IR") return StorageClass::kGlacierIr;
  return std::nullopt;
}

// Wording of the messages below: not verified against AWS (no recorded
// answers of the channel operations were found).
Status FreshnessInRange(int64_t seconds) {
  if (seconds < kMinFreshness || seconds > kMaxFreshness) {
    return Status::InvalidArgument("DataFreshnessInSeconds must be between 300 and 900 seconds, got " +
                                   std::to_string(seconds) + ".");
  }
  return Status::Ok();
}

Status CheckLogNames(const std::optional<std::string>& group, const std::optional<std::string>& stream) {
  if (group && (group->empty() || group->size() > 512 || !Matches(*group, "[\\.\\-_/#A-Za-z0-9]+"))) {
    return Status::InvalidArgument("Invalid LogGroupName: " + *group);
  }
  if (stream && (stream->empty() || stream->size() > 512 || stream->find_first_of(":*") != std::string::npos)) {
    return Status::InvalidArgument("Invalid LogStreamName: " + *stream);
  }
  return Status::Ok();
}

std::string NameOfKey(const std::string& key) { return key.substr(key.rfind('/') + 1); }

}  // namespace

std::optional<ChannelArnParts> ParseChannelArn(const std::string& arn) {
  static const std::regex pattern("arn:aws[-a-z]*:kinesis:([a-z0-9-]+):(\\d{12}):channel/(\\S+)");
  std::smatch m;
  if (arn.size() > 2048 || !std::regex_match(arn, m, pattern)) return std::nullopt;
  return ChannelArnParts{m[1].str(), m[2].str(), m[3].str()};
}

std::string ChannelArn(const std::string& region, const std::string& account_id, const std::string& id) {
  return "arn:aws:kinesis:" + region + ":" + account_id + ":channel/" + id;
}

ChannelService::ChannelService(StreamService& streams, const Clock& clock, ServiceOptions options)
    : streams_(streams), clock_(clock), options_(options) {}

std::optional<ChannelState> ChannelService::AsOf(const ChannelState& c, int64_t now) {
  ChannelState out = c;
  if (now < c.transition_due_ms) return out;
  switch (c.status) {
    case ChannelStatus::kCreating:
    case ChannelStatus::kUpdating:
      out.status = ChannelStatus::kActive;
      break;
    case ChannelStatus::kDeleting:
      return std::nullopt;
    default:
      break;
  }
  return out;
}

StreamAddress ChannelService::StreamOf(const std::string& channel_key, const ChannelState& c) {
  // channel/<account>/<region>/<name>
  StreamAddress a;
  const size_t p1 = kChannelKeyPrefix.size();
  const size_t p2 = channel_key.find('/', p1);
  const size_t p3 = channel_key.find('/', p2 + 1);
  a.account_id = channel_key.substr(p1, p2 - p1);
  a.region = channel_key.substr(p2 + 1, p3 - p2 - 1);
  a.name = c.stream_name;
  return a;
}

StatusOr<uint64_t> ChannelService::Write(store::MetaWrite write) { return streams_.WriteMeta(std::move(write)); }

StatusOr<std::vector<ChannelService::Stored>> ChannelService::Scan(const std::string& prefix, bool fresh) {
  RIFFLE_ASSIGN_OR_RETURN(std::vector<store::MetaEntry> entries, streams_.MetaWithPrefix(prefix, fresh));
  std::vector<Stored> out;
  for (store::MetaEntry& e : entries) {
    StatusOr<ChannelState> state = DecodeChannelState(e.value);
    if (!state.ok()) continue;
    state->name = NameOfKey(e.key);
    out.push_back(Stored{std::move(e.key), e.revision, std::move(*state)});
  }
  return out;
}

StatusOr<std::vector<ChannelService::Stored>> ChannelService::All() {
  return Scan(std::string(kChannelKeyPrefix), /*fresh=*/false);
}

ChannelView ChannelService::View(const std::string& key, const ChannelState& stored, int64_t now) const {
  ChannelView v;
  v.state = AsOf(stored, now).value_or(stored);
  ChannelState& c = v.state;
  const StreamAddress stream = StreamOf(key, c);
  v.arn = ChannelArn(stream.region, stream.account_id, c.id);
  v.stream_arn = stream.Arn();
  if (c.key_template.empty()) c.key_template = std::string(kDefaultKeyTemplate);
  if (c.dlq_bucket_arn.empty()) {
    c.dlq_bucket_arn = c.bucket_arn;
    c.dlq_owner = c.bucket_owner;
  }
  if (c.dlq_prefix.empty()) c.dlq_prefix = "kinesis-channel/errors/" + c.name + "/" + c.id + "/";
  if (c.logging && c.log_group.empty()) c.log_group = "/aws/kinesis/" + c.name + "/" + c.id;
  if (c.logging && c.log_stream.empty()) c.log_stream = "DestinationDelivery";
  return v;
}

StatusOr<ChannelView> ChannelService::Create(const ChannelRequest& r) {
  if (r.name.empty() || r.name.size() > 128 || !Matches(r.name, "[a-zA-Z0-9_.-]+")) {
    return Status::InvalidArgument("Invalid ChannelName: " + r.name);
  }
  if (r.role_arn.empty() || r.role_arn.size() > 512 || !Matches(r.role_arn, kRoleArnPattern)) {
    return Status::InvalidArgument("Invalid ServiceExecutionRoleARN: " + r.role_arn);
  }
  if (r.streams.size() != 1) {
    return Status::InvalidArgument("StreamConfigurationList must hold exactly one stream: "
                                   "one stream is supported per channel.");
  }
  if (r.s3_tables && r.s3) {
    return Status::InvalidArgument(
        "Specify either S3DestinationConfiguration or S3TablesDestinationConfiguration, but not both.");
  }
  if (r.s3_tables) {
    return Status::InvalidArgument("S3TablesDestinationConfiguration is not supported by Riffle; "
                                   "use S3DestinationConfiguration.");
  }
  if (!r.s3) {
    return Status::InvalidArgument(
        "Specify either S3DestinationConfiguration or S3TablesDestinationConfiguration.");
  }
  const ChannelRequest::StreamConfig& source = r.streams.front();
  const std::optional<RecordFormat> format = FormatOf(source.format);
  if (!format) {
    return Status::InvalidArgument("RecordFormatType " + source.format +
                                   " is not supported for an S3 destination; use JSON, STRING or BYTE_ARRAY.");
  }
  const ChannelRequest::S3& s3 = *r.s3;
  if (!Matches(s3.bucket_arn, kBucketArnPattern)) return Status::InvalidArgument("Invalid BucketARN: " + s3.bucket_arn);
  if (!Matches(s3.bucket_owner, "\\d{12}")) {
    return Status::InvalidArgument("Invalid ExpectedBucketOwner: " + s3.bucket_owner + " (12 digits expected).");
  }
  const std::optional<ObjectCompression> compression = CompressionOf(s3.compression);
  if (!compression) {
    return Status::InvalidArgument("Invalid CompressionType: " + s3.compression + " (NONE, GZIP or ZSTD).");
  }
  std::optional<StorageClass> storage_class = StorageClass::kStandard;
  if (s3.storage_class) storage_class = StorageClassOf(*s3.storage_class);
  if (!storage_class) {
    return Status::InvalidArgument("Invalid StorageClass: " + *s3.storage_class +
                                   " (STANDARD, INTELLIGENT_TIERING or GLACIER_IR).");
  }
  const int64_t freshness = s3.freshness_seconds.value_or(kMinFreshness);
  RIFFLE_RETURN_IF_ERROR(FreshnessInRange(freshness));
  if (s3.key_template) RIFFLE_RETURN_IF_ERROR(ValidateKeyTemplate(*s3.key_template, *compression));
  if (s3.dlq) {
    if (!Matches(s3.dlq_bucket_arn, kBucketArnPattern)) {
      return Status::InvalidArgument("Invalid DeadLetterQueueS3Configuration BucketARN: " + s3.dlq_bucket_arn);
    }
    if (!Matches(s3.dlq_owner, "\\d{12}")) {
      return Status::InvalidArgument("Invalid DeadLetterQueueS3Configuration ExpectedBucketOwner: " + s3.dlq_owner);
    }
    if (s3.dlq_prefix && (s3.dlq_prefix->empty() || s3.dlq_prefix->size() > 512 ||
                          !Matches(*s3.dlq_prefix, "[0-9A-Za-z!\\-_'.*()/]+"))) {
      return Status::InvalidArgument("Invalid ErrorOutputPrefix: " + *s3.dlq_prefix);
    }
  }
  if (r.encryption_type) {
    if (*r.encryption_type != "KMS") {
      return Status::InvalidArgument("Invalid EncryptionType: " + *r.encryption_type + " (KMS expected).");
    }
    if (!r.kms_key_id || r.kms_key_id->empty() || r.kms_key_id->size() > 2048) {
      return Status::InvalidArgument("EncryptionConfiguration needs a KeyId.");
    }
    if (*r.kms_key_id == "alias/aws/kinesis") {
      return Status::InvalidArgument("The Kinesis service key (alias/aws/kinesis) cannot encrypt a channel.");
    }
  }
  RIFFLE_RETURN_IF_ERROR(CheckLogNames(r.log_group, r.log_stream));
  if (r.tags.size() > kMaxChannelTags) {
    return Status::InvalidArgument("A channel cannot have more than 200 tags associated with it.");
  }

  std::lock_guard lock(create_mu_);
  // The source stream: same account and region as the channel.
  static const std::regex stream_arn("arn:aws[-a-z]*:kinesis:([a-z0-9-]+):(\\d{12}):stream/([a-zA-Z0-9_.-]+)");
  std::smatch m;
  if (!std::regex_match(source.stream_arn, m, stream_arn)) {
    return Status::InvalidArgument("Invalid StreamARN: " + source.stream_arn);
  }
  StreamAddress address{m[2].str(), m[1].str(), m[3].str()};
  if (address.account_id != r.account_id || address.region != r.region) {
    return Status::InvalidArgument("The stream " + source.stream_arn +
                                   " must be in the channel's account and region.");
  }
  RIFFLE_ASSIGN_OR_RETURN(StreamState stream, streams_.StreamSnapshot(address, /*fresh=*/true));
  if (stream.mode != StreamMode::kOnDemand) {
    return Status::Validation("Channels are only supported for data streams with the on-demand capacity mode. "
                              "Stream " + address.name + " under account " + address.account_id +
                              " is PROVISIONED.");
  }
  if (stream.status != StreamStatus::kActive && stream.status != StreamStatus::kUpdating) {
    return Status::InUse("Stream " + address.name + " under account " + address.account_id + " not ACTIVE, instead in state " +
                         StreamStatusName(stream.status));
  }
  const int64_t now = clock_.NowMs();
  RIFFLE_ASSIGN_OR_RETURN(std::vector<Stored> existing, Scan(ChannelMetaKey(r.account_id, r.region, "")));
  for (const Stored& s : existing) {
    if (!AsOf(s.state, now)) continue;  // gone
    if (s.state.name == r.name) {
      return Status::InUse("Channel " + r.name + " under account " + r.account_id + " already exists.");
    }
    if (s.state.stream_name == address.name && s.state.stream_incarnation == stream.incarnation) {
      return Status::LimitExceeded("Stream " + address.name + " under account " + r.account_id +
                                   " already has a channel that delivers to a general purpose S3 bucket "
                                   "(one per stream).");
    }
  }

  ChannelState c;
  c.id = NewChannelId();
  c.name = r.name;
  c.created_ms = now;
  c.status = options_.create_stream_ms > 0 ? ChannelStatus::kCreating : ChannelStatus::kActive;
  c.transition_due_ms = now + options_.create_stream_ms;
  c.role_arn = r.role_arn;
  c.stream_name = address.name;
  c.stream_incarnation = stream.incarnation;
  c.stream_created_ms = stream.created_ms;
  c.format = *format;
  c.bucket_arn = s3.bucket_arn;
  c.bucket_owner = s3.bucket_owner;
  c.compression = *compression;
  c.key_template = s3.key_template.value_or("");
  c.storage_class = *storage_class;
  c.freshness_seconds = freshness;
  if (s3.dlq) {
    c.dlq_bucket_arn = s3.dlq_bucket_arn;
    c.dlq_owner = s3.dlq_owner;
    c.dlq_prefix = s3.dlq_prefix.value_or("");
  }
  c.kms = r.encryption_type.has_value();
  c.kms_key_id = r.kms_key_id.value_or("");
  c.logging = r.logging.value_or(false);
  c.log_group = r.log_group.value_or("");
  c.log_stream = r.log_stream.value_or("");
  c.tags = r.tags;
  c.deliver_from_ms = c.transition_due_ms;
  const std::string key = ChannelMetaKey(r.account_id, r.region, r.name);
  // A gone channel of the name (and its positions) goes first.
  for (const Stored& s : existing) {
    if (s.key == key) RIFFLE_RETURN_IF_ERROR(Remove(s));
  }
  StatusOr<uint64_t> written =
      Write({key, EncodeChannelState(c), store::kMustNotExist});
  if (!written.ok()) {
    if (written.status().code() == Errc::kConflict) {
      return Status::InUse("Channel " + r.name + " under account " + r.account_id + " already exists.");
    }
    return written.status();
  }
  return View(key, c, now);
}

StatusOr<ChannelService::Stored> ChannelService::FindById(const std::string& channel_arn) {
  std::optional<ChannelArnParts> parts = ParseChannelArn(channel_arn);
  if (!parts) return Status::InvalidArgument("Invalid ChannelARN: " + channel_arn);
  RIFFLE_ASSIGN_OR_RETURN(std::vector<Stored> all, Scan(ChannelMetaKey(parts->account_id, parts->region, "")));
  const int64_t now = clock_.NowMs();
  for (Stored& s : all) {
    if (s.state.id == parts->id && AsOf(s.state, now)) return std::move(s);
  }
  return Status::NotFound("Channel " + channel_arn + " not found.");
}

StatusOr<ChannelView> ChannelService::Describe(const std::string& channel_arn) {
  RIFFLE_ASSIGN_OR_RETURN(Stored s, FindById(channel_arn));
  return View(s.key, s.state, clock_.NowMs());
}

StatusOr<ChannelListing> ChannelService::List(const std::string& account_id, const std::string& region,
                                              const std::vector<std::string>& stream_arns,
                                              std::optional<int64_t> max_results,
                                              const std::optional<std::string>& next_token) {
  if (max_results && (*max_results < 1 || *max_results > 10000)) {
    return Status::InvalidArgument("MaxResults must be between 1 and 10000.");
  }
  const int64_t limit = std::min<int64_t>(max_results.value_or(kDefaultListing), kDefaultListing);
  const int64_t now = clock_.NowMs();
  std::string after;
  if (next_token) {
    // Kind, the last name listed, when the token was issued.
    std::optional<std::string> payload = streams_.OpenToken(*next_token);
    if (!payload) return Status::InvalidArgument("Invalid NextToken.");
    const std::string opened = std::move(*payload);  // the reader views it
    ByteReader r(opened);
    const bool kind = r.U8() == kTokenKind;
    after = r.String();
    const int64_t issued = r.I64();
    if (!kind || !r.ok()) return Status::InvalidArgument("Invalid NextToken.");
    if (now - issued > kNextTokenLifetimeMs) {
      return Status(Errc::kExpiredNextToken, "The requested token has expired.");  // wording unverified
    }
  }
  RIFFLE_ASSIGN_OR_RETURN(std::vector<Stored> all, Scan(ChannelMetaKey(account_id, region, "")));
  ChannelListing out;
  for (const Stored& s : all) {
    if (!after.empty() && s.state.name <= after) continue;
    if (!AsOf(s.state, now)) continue;
    ChannelView v = View(s.key, s.state, now);
    if (!stream_arns.empty() &&
        std::find(stream_arns.begin(), stream_arns.end(), v.stream_arn) == stream_arns.end()) {
      continue;
    }
    if (static_cast<int64_t>(out.channels.size()) == limit) {
      std::string payload(1, static_cast<char>(kTokenKind));
      PutString(payload, out.channels.back().state.name);
      PutI64(payload, now);
      out.next_token = streams_.SealToken(payload);
      break;
    }
    out.channels.push_back(std::move(v));
  }
  return out;
}

StatusOr<ChannelView> ChannelService::Update(const std::string& channel_arn, const ChannelUpdate& u) {
  if (u.s3_tables) {
    return Status::InvalidArgument("The channel delivers to a general purpose S3 bucket: "
                                   "S3TablesDestinationConfiguration does not apply.");
  }
  if (u.freshness_seconds) RIFFLE_RETURN_IF_ERROR(FreshnessInRange(*u.freshness_seconds));
  RIFFLE_RETURN_IF_ERROR(CheckLogNames(u.log_group, u.log_stream));
  for (int attempt = 0; attempt < 8; ++attempt) {
    RIFFLE_ASSIGN_OR_RETURN(Stored s, FindById(channel_arn));
    const int64_t now = clock_.NowMs();
    ChannelState c = *AsOf(s.state, now);
    if (c.status != ChannelStatus::kActive) {
      return Status::InUse("Channel " + c.name + " under account " + StreamOf(s.key, c).account_id +
                           " not ACTIVE, instead in state " + ChannelStatusName(c.status));
    }
    if (u.freshness_seconds) c.freshness_seconds = *u.freshness_seconds;
    if (u.logging) {
      c.logging = *u.logging;
      c.log_group = u.log_group.value_or("");
      c.log_stream = u.log_stream.value_or("");
    }
    c.status = options_.update_stream_ms > 0 ? ChannelStatus::kUpdating : ChannelStatus::kActive;
    c.transition_due_ms = now + options_.update_stream_ms;
    StatusOr<uint64_t> written = Write({s.key, EncodeChannelState(c), s.revision});
    if (written.ok()) return View(s.key, c, now);
    if (written.status().code() != Errc::kConflict) return written.status();
  }
  return Status::Unavailable("The channel kept changing; try again.");
}

Status ChannelService::Delete(const std::string& channel_arn) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    RIFFLE_ASSIGN_OR_RETURN(Stored s, FindById(channel_arn));
    const int64_t now = clock_.NowMs();
    ChannelState c = *AsOf(s.state, now);
    if (c.status == ChannelStatus::kDeleting) return Status::Ok();
    c.status = ChannelStatus::kDeleting;
    c.transition_due_ms = now + options_.delete_stream_ms;
    StatusOr<uint64_t> written = Write({s.key, EncodeChannelState(c), s.revision});
    if (written.ok()) {
      if (options_.delete_stream_ms <= 0) (void)Remove(Stored{s.key, *written, c});  // else: delivery removes it
      return Status::Ok();
    }
    if (written.status().code() != Errc::kConflict) return written.status();
  }
  return Status::Unavailable("The channel kept changing; try again.");
}

Status ChannelService::Remove(const Stored& channel) {
  RIFFLE_ASSIGN_OR_RETURN(std::vector<store::MetaEntry> positions,
                          streams_.MetaWithPrefix(ChannelPositionPrefix(channel.state.id), /*fresh=*/true));
  for (const store::MetaEntry& p : positions) {
    StatusOr<uint64_t> removed = Write({p.key, std::nullopt, store::kAnyRevision});
    if (!removed.ok()) return removed.status();
  }
  StatusOr<uint64_t> removed = Write({channel.key, std::nullopt, channel.revision});
  if (!removed.ok() && removed.status().code() != Errc::kConflict) return removed.status();
  return Status::Ok();
}

Status ChannelService::Fail(const Stored& channel, const std::string& reason) {
  ChannelState c = channel.state;
  c.status = ChannelStatus::kFailed;
  c.status_reason = reason;
  StatusOr<uint64_t> written = Write({channel.key, EncodeChannelState(c), channel.revision});
  return written.ok() || written.status().code() == Errc::kConflict ? Status::Ok() : written.status();
}

StatusOr<int64_t> ChannelService::Count(const std::string& account_id, const std::string& region) {
  RIFFLE_ASSIGN_OR_RETURN(std::vector<Stored> all, Scan(ChannelMetaKey(account_id, region, "")));
  const int64_t now = clock_.NowMs();
  return static_cast<int64_t>(std::count_if(all.begin(), all.end(), [now](const Stored& s) {
    return AsOf(s.state, now).has_value();
  }));
}

int64_t ChannelService::CountForStream(const StreamAddress& address) {
  auto all = Scan(ChannelMetaKey(address.account_id, address.region, ""), /*fresh=*/false);
  if (!all.ok()) return 0;
  const int64_t now = clock_.NowMs();
  return static_cast<int64_t>(std::count_if(all->begin(), all->end(), [&](const Stored& s) {
    return s.state.stream_name == address.name && AsOf(s.state, now).has_value();
  }));
}

Status ChannelService::CheckStreamDeletable(const StreamAddress& address, uint64_t incarnation) {
  // DeleteStream read the metadata after a barrier already.
  RIFFLE_ASSIGN_OR_RETURN(std::vector<Stored> all,
                          Scan(ChannelMetaKey(address.account_id, address.region, ""), /*fresh=*/false));
  const int64_t now = clock_.NowMs();
  for (const Stored& s : all) {
    std::optional<ChannelState> c = AsOf(s.state, now);
    if (c && c->stream_name == address.name && c->stream_incarnation == incarnation &&
        c->status != ChannelStatus::kDeleting && c->status != ChannelStatus::kFailed) {
      return Status::InUse("Stream " + address.name + " under account " + address.account_id +
                           " has channels attached (channel " + c->name + "). Delete them first.");
    }
  }
  return Status::Ok();
}

}  // namespace riffle::core
