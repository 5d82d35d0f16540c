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

void StreamService::RefreshConsumers(Stream& stream, int64_t now, store::Mutation& mutation) {
  for (auto it = stream.consumers.begin(); it != stream.consumers.end();) {
    ConsumerState& c = it->second;
    if (now < c.transition_due_ms || c.status == ConsumerStatus::kActive) {
      ++it;
    } else if (c.status == ConsumerStatus::kCreating) {
      c.status = ConsumerStatus::kActive;
      mutation.meta_puts.emplace_back(ConsumerMetaKey(stream.state.address, c.name), EncodeConsumerState(c));
      ++it;
    } else {
      mutation.meta_deletes.push_back(ConsumerMetaKey(stream.state.address, c.name));
      it = stream.consumers.erase(it);
    }
  }
}

ConsumerDescription StreamService::DescribeConsumerLocked(const Stream& stream, const ConsumerState& c) const {
  ConsumerDescription d;
  d.name = c.name;
  d.arn = ConsumerArn(stream.state.address, c);
  d.stream_arn = stream.state.address.Arn();
  d.status = c.status;
  d.created_ms = c.created_ms;
  return d;
}

void StreamService::RegisterConsumer(const StreamAddress& address, const std::string& name,
                                     std::function<void(StatusOr<ConsumerDescription>)> done,
                                     std::map<std::string, std::string> tags) {
  int64_t now = clock_.NowMs();
  if (Status checked = CheckTagText(tags); !checked.ok()) return done(checked);
  if (tags.size() > kMaxTagsPerResource) {
    // Wording not verified against AWS.
    return done(Status::InvalidArgument("A consumer cannot have more than 50 tags associated with it."));
  }
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  store::Mutation m;
  ConsumerDescription d;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    const StreamState& s = stream->state;
    if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) {
      return done(Status::InUse(NotActiveMessage(s)));
    }
    if (stream->consumers.count(name) != 0) {
      // Wording not verified against AWS.
      return done(Status::InUse("Consumer " + name + " under stream " + address.name + " already exists for account " +
                                address.account_id + "."));
    }
    if (stream->consumers.size() >= kMaxConsumersPerStream) {
      // Wording not verified against AWS.
      return done(Status::LimitExceeded("Consumer limit of 20 has been reached for stream " + address.name +
                                        " under account " + address.account_id + "."));
    }
    ConsumerState c;
    c.incarnation = s.incarnation;
    c.name = name;
    c.created_ms = now;
    c.status = options_.create_stream_ms > 0 ? ConsumerStatus::kCreating : ConsumerStatus::kActive;
    c.transition_due_ms = now + options_.create_stream_ms;
    c.tags = std::move(tags);
    // A consumer of the same name that just finished deleting must not
    // delete the new one's key in this same write.
    std::string key = ConsumerMetaKey(address, name);
    std::erase(m.meta_deletes, key);
    m.meta_puts.emplace_back(key, EncodeConsumerState(c));
    d = DescribeConsumerLocked(*stream, c);
    stream->consumers.emplace(name, std::move(c));
  }
  Commit(std::move(m), [done = std::move(done), d = std::move(d)](Status status) {
    if (!status.ok()) return done(status);
    done(d);
  });
}

StatusOr<ConsumerDescription> StreamService::DescribeConsumer(const StreamAddress& address, const std::string& name,
                                                              std::optional<int64_t> created_seconds) {
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return StreamNotFound(address);
  store::Mutation m;
  ConsumerDescription d;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return StreamNotFound(address);
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    auto it = stream->consumers.find(name);
    if (it == stream->consumers.end() || (created_seconds && *created_seconds != it->second.created_ms / 1000)) {
      return ConsumerNotFound(address, name);
    }
    d = DescribeConsumerLocked(*stream, it->second);
  }
  Commit(std::move(m), [](Status) {});
  return d;
}

void StreamService::DeregisterConsumer(const StreamAddress& address, const std::string& name,
                                       std::optional<int64_t> created_seconds, Done done) {
  int64_t now = clock_.NowMs();
  auto stream = Find(address);
  if (stream == nullptr) return done(StreamNotFound(address));
  store::Mutation m;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return done(StreamNotFound(address));
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    auto it = stream->consumers.find(name);
    if (it == stream->consumers.end() || (created_seconds && *created_seconds != it->second.created_ms / 1000)) {
      return done(ConsumerNotFound(address, name));
    }
    ConsumerState& c = it->second;
    if (c.status == ConsumerStatus::kDeleting) {
      // Wording not verified against AWS.
      return done(Status::InUse("Consumer " + name + " under stream " + address.name + " is already being deleted."));
    }
    if (options_.delete_stream_ms > 0) {
      c.status = ConsumerStatus::kDeleting;
      c.transition_due_ms = now + options_.delete_stream_ms;
      m.meta_puts.emplace_back(ConsumerMetaKey(address, name), EncodeConsumerState(c));
    } else {
      m.meta_deletes.push_back(ConsumerMetaKey(address, name));
      stream->consumers.erase(it);
    }
  }
  notifier_.NotifyStream(stream->state.incarnation);  // ends the consumer's subscriptions
  Commit(std::move(m), std::move(done));
}

StatusOr<ConsumerList> StreamService::ListConsumers(const StreamAddress& address,
                                                    const std::optional<std::string>& next_token,
                                                    std::optional<int64_t> max_results,
                                                    std::optional<double> stream_creation_seconds) {
  int64_t now = clock_.NowMs();
  std::optional<ConsumerPosition> position;
  if (next_token) {
    auto payload = iterators_.Open(*next_token);
    position = payload ? DecodeConsumerPosition(*payload) : std::nullopt;
    if (!position) return Status::InvalidArgument("Invalid NextToken.");
    if (now - position->issued_ms > kConsumerTokenLifetimeMs) {
      return Status(Errc::kExpiredNextToken, "The requested token has expired.");  // wording unverified
    }
  }
  auto stream = Find(address);
  if (stream == nullptr) return StreamNotFound(address);
  store::Mutation m;
  ConsumerList list;
  {
    std::lock_guard lock(stream->mu);
    if (stream->IsGone(now)) return StreamNotFound(address);
    Refresh(*stream, now, m);
    RefreshConsumers(*stream, now, m);
    const StreamState& s = stream->state;
    if (stream_creation_seconds &&
        static_cast<int64_t>(*stream_creation_seconds) != s.created_ms / 1000) {
      return StreamNotFound(address);
    }
    if (position && position->incarnation != s.incarnation) {
      return Status::InvalidArgument("Invalid NextToken.");  // issued for another stream
    }
    int64_t max = max_results.value_or(kDefaultConsumersPerListing);
    for (const auto& [name, c] : stream->consumers) {
      if (position && name <= position->after_name) continue;
      if (static_cast<int64_t>(list.consumers.size()) >= max) {
        ConsumerPosition next{s.incarnation, list.consumers.back().name, now};
        list.next_token = iterators_.Seal(EncodeConsumerPosition(next));
        break;
      }
      list.consumers.push_back(DescribeConsumerLocked(*stream, c));
    }
  }
  Commit(std::move(m), [](Status) {});
  return list;
}

}  // namespace riffle::core
