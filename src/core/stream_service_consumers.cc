// StreamService enhanced fan-out consumers: RegisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer.
//
// A consumer is CREATING for --create-stream-ms (ACTIVE at once when 0) and
// DELETING for --delete-stream-ms before it disappears; transitions are
// applied lazily like the stream's (RefreshConsumers). Each consumer is its
// own metadata key (docs/storage-format.md "Consumer record").
#include "core/byte_codec.h"
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

constexpr size_t kMaxConsumersPerStream = 20;
constexpr int64_t kDefaultConsumersPerListing = 100;
constexpr int64_t kConsumerTokenLifetimeMs = 300 * 1000;
constexpr uint8_t kConsumerTokenKind = 'C';  // distinguishes it from ListShards tokens

struct ConsumerPosition {
  uint64_t incarnation = 0;
  std::string after_name;
  int64_t issued_ms = 0;
};

std::string EncodeConsumerPosition(const ConsumerPosition& p) {
  std::string out;
  out.push_back(static_cast<char>(kConsumerTokenKind));
  PutVarint(out, p.incarnation);
  PutString(out, p.after_name);
  PutI64(out, p.issued_ms);
  return out;
}

std::optional<ConsumerPosition> DecodeConsumerPosition(std::string_view in) {
  ByteReader r(in);
  if (r.U8() != kConsumerTokenKind) return std::nullopt;
  ConsumerPosition p;
  p.incarnation = r.Varint();
  p.after_name = r.String();
  p.issued_ms = r.I64();
  if (!r.ok()) return std::nullopt;
  return p;
}

std::string ConsumerArn(const StreamAddress& a, const ConsumerState& c) {
  return a.Arn() + "/consumer/" + c.name + ":" + std::to_string(c.created_ms / 1000);
}

}  // namespace

const char* ConsumerStatusName(ConsumerStatus status) {
  switch (status) {
    case ConsumerStatus::kCreating:
      return "CREATING";
    case ConsumerStatus::kDeleting:
      return "DELETING";
    case ConsumerStatus::kActive:
      return "ACTIVE";
  }
  return "ACTIVE";
}

ConsumerPtr StreamService::LiveConsumer(const StreamEntry& stream, const std::string& name,
                                       std::optional<int64_t> created_seconds, int64_t now) const {
  ConsumerPtr consumer = registry_.FindConsumer(ConsumerMetaKey(stream.state.address, name));
  if (consumer == nullptr || consumer->state.incarnation != stream.state.incarnation ||
      ConsumerGone(consumer->state, now) ||
      (created_seconds && *created_seconds != consumer->state.created_ms / 1000)) {
    return nullptr;
  }
  return consumer;
}

std::vector<ConsumerPtr> StreamService::LiveConsumers(const StreamEntry& stream, int64_t now) const {
  std::vector<ConsumerPtr> live;
  for (ConsumerPtr& c : registry_.Consumers(stream.state.address, stream.state.incarnation)) {
    if (!ConsumerGone(c->state, now)) live.push_back(std::move(c));
  }
  return live;
}

ConsumerDescription StreamService::DescribeConsumerOf(const StreamAddress& stream, const ConsumerState& c) const {
  ConsumerDescription d;
  d.name = c.name;
  d.arn = ConsumerArn(stream, c);
  d.stream_arn = stream.Arn();
  d.status = c.status;
  d.created_ms = c.created_ms;
  return d;
}

void StreamService::RegisterConsumer(const StreamAddress& address, const std::string& name,
                                     std::function<void(StatusOr<ConsumerDescription>)> done,
                                     std::map<std::string, std::string> tags) {
  if (Status checked = CheckTagText(tags); !checked.ok()) return done(checked);
  if (tags.size() > kMaxTagsPerResource) {
    // Wording not verified against AWS.
    return done(Status::InvalidArgument("A consumer cannot have more than 50 tags associated with it."));
  }
  const std::string key = ConsumerMetaKey(address, name);
  auto lock = key_locks_.Lock(key);
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (Status synced = Barrier(); !synced.ok()) return done(synced);
    const int64_t now = clock_.NowMs();
    StreamPtr stream = Find(address);
    if (stream == nullptr || stream->IsGone(now)) return done(StreamNotFound(address));
    const StreamStatus status = StatusAsOf(stream->state, now);
    if (status == StreamStatus::kCreating || status == StreamStatus::kDeleting) {
      return done(Status::InUse(NotActiveMessage(AsOf(stream->state, now))));
    }
    if (LiveConsumer(*stream, name, std::nullopt, now) != nullptr) {
      // Wording not verified against AWS.
      return done(Status::InUse("Consumer " + name + " under stream " + address.name + " already exists for account " +
                                address.account_id + "."));
    }
    if (LiveConsumers(*stream, now).size() >= kMaxConsumersPerStream) {
      // Wording not verified against AWS.
      return done(Status::LimitExceeded("Consumer limit of 20 has been reached for stream " + address.name +
                                        " under account " + address.account_id + "."));
    }
    ConsumerState c;
    c.incarnation = stream->state.incarnation;
    c.name = name;
    c.created_ms = now;
    c.status = options_.create_stream_ms > 0 ? ConsumerStatus::kCreating : ConsumerStatus::kActive;
    c.transition_due_ms = now + options_.create_stream_ms;
    c.tags = tags;
    // Replaces a record left by a consumer of the name that is gone (or of
    // an earlier stream of the name); never a live one.
    ConsumerPtr old = registry_.FindConsumer(key);
    auto written = WriteMetaAndWait({key, EncodeConsumerState(c), old ? old->revision : store::kMustNotExist});
    if (written.ok()) return done(DescribeConsumerOf(address, c));
    if (written.status().code() != Errc::kConflict) return done(written.status());
  }
  done(Status::Unavailable("Consumer " + name + " kept changing; try again"));
}

StatusOr<ConsumerDescription> StreamService::DescribeConsumer(const StreamAddress& address, const std::string& name,
                                                              std::optional<int64_t> created_seconds) {
  RIFFLE_RETURN_IF_ERROR(Barrier());
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  ConsumerPtr consumer = LiveConsumer(*stream, name, created_seconds, now);
  if (consumer == nullptr) return ConsumerNotFound(address, name);
  return DescribeConsumerOf(address, ConsumerAsOf(consumer->state, now));
}

void StreamService::DeregisterConsumer(const StreamAddress& address, const std::string& name,
                                       std::optional<int64_t> created_seconds, Done done) {
  ResourceRef resource{address, name, created_seconds};
  bool remove_now = false;
  uint64_t incarnation = 0;
  Status status = MutateConsumer(resource, [&](ConsumerState& c, const StreamEntry& stream, int64_t now) -> Status {
    if (c.status == ConsumerStatus::kDeleting) {
      // Wording not verified against AWS.
      return Status::InUse("Consumer " + name + " under stream " + address.name + " is already being deleted.");
    }
    incarnation = stream.state.incarnation;
    c.status = ConsumerStatus::kDeleting;
    c.transition_due_ms = now + options_.delete_stream_ms;
    remove_now = options_.delete_stream_ms <= 0;
    return Status::Ok();
  });
  if (!status.ok()) return done(status);
  notifier_.NotifyStream(incarnation);  // ends the consumer's subscriptions
  if (remove_now) SettleConsumers(address, incarnation);
  done(Status::Ok());
}

StatusOr<ConsumerList> StreamService::ListConsumers(const StreamAddress& address,
                                                    const std::optional<std::string>& next_token,
                                                    std::optional<int64_t> max_results,
                                                    std::optional<double> stream_creation_seconds) {
  const int64_t now = clock_.NowMs();
  std::optional<ConsumerPosition> position;
  if (next_token) {
    auto payload = iterators_.Open(*next_token);
    position = payload ? DecodeConsumerPosition(*payload) : std::nullopt;
    if (!position) return Status::InvalidArgument("Invalid NextToken.");
    if (now - position->issued_ms > kConsumerTokenLifetimeMs) {
      return Status(Errc::kExpiredNextToken, "The requested token has expired.");  // wording unverified
    }
  }
  RIFFLE_RETURN_IF_ERROR(Barrier());
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  const StreamState& s = stream->state;
  if (stream_creation_seconds && static_cast<int64_t>(*stream_creation_seconds) != s.created_ms / 1000) {
    return StreamNotFound(address);
  }
  if (position && position->incarnation != s.incarnation) {
    return Status::InvalidArgument("Invalid NextToken.");  // issued for another stream
  }
  ConsumerList list;
  int64_t max = max_results.value_or(kDefaultConsumersPerListing);
  for (const ConsumerPtr& consumer : LiveConsumers(*stream, now)) {  // by name
    const std::string& name = consumer->state.name;
    if (position && name <= position->after_name) continue;
    if (static_cast<int64_t>(list.consumers.size()) >= max) {
      ConsumerPosition next{s.incarnation, list.consumers.back().name, now};
      list.next_token = iterators_.Seal(EncodeConsumerPosition(next));
      break;
    }
    list.consumers.push_back(DescribeConsumerOf(address, ConsumerAsOf(consumer->state, now)));
  }
  return list;
}

}  // namespace riffle::core
