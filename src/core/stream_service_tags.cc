// StreamService tags: AddTagsToStream, ListTagsForStream, RemoveTagsFromStream,
// and TagResource, UntagResource, ListTagsForResource on streams and consumers.
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

constexpr size_t kMaxTagsPerStream = kMaxTagsPerResource;

// Tag keys and values may hold Unicode letters, digits, white space and
// _ . / = + - % @ (checked the way Kinesis checks it: letters are the
// code points U+00C0..U+1FFF and U+2C00..U+D7FF plus ASCII word characters).
bool ValidTagText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    uint32_t cp;
    int length;
    if (c < 0x80) {
      cp = c;
      length = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      length = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      length = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (int k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += length;
    bool ok = (cp >= 0xC0 && cp <= 0x1FFF) || (cp >= 0x2C00 && cp <= 0xD7FF) || (cp >= 'a' && cp <= 'z') ||
              (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
              std::string_view("_./=+-%@ ").find(static_cast<char>(cp)) != std::string_view::npos;
    if (cp >= 0x80 && !((cp >= 0xC0 && cp <= 0x1FFF) || (cp >= 0x2C00 && cp <= 0xD7FF))) ok = false;
    if (!ok) return false;
  }
  return true;
}

const char kInvalidTagCharacters[] =
    "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.";

bool HasPercent(std::string_view text) { return text.find('%') != std::string_view::npos; }

// Kinesis lists '%' as valid in the first check, then refuses it with this
// text, naming the operation and the stream (kinesalite test/addTagsToStream.js
// and removeTagsFromStream.js, recorded from real Kinesis).
Status PercentRefused(std::string_view action, const StreamAddress& address) {
  return Status::InvalidArgument("Failed to " + std::string(action) + " stream " + address.name + " under account " +
                                 address.account_id +
                                 " because some tags contained illegal characters. The allowed characters are "
                                 "Unicode letters, white-spaces, '_',',','/','=','+','-','@'.");
}

}  // namespace

Status CheckTagText(const std::map<std::string, std::string>& tags) {
  for (const auto& [key, value] : tags) {
    if (!ValidTagText(key) || !ValidTagText(value)) return Status::InvalidArgument(kInvalidTagCharacters);
  }
  return Status::Ok();
}

void StreamService::AddTags(const StreamAddress& address, std::vector<std::pair<std::string, std::string>> tags,
                            Done done) {
  for (const auto& [key, value] : tags) {
    if (!ValidTagText(key) || !ValidTagText(value)) return done(Status::InvalidArgument(kInvalidTagCharacters));
  }
  for (const auto& [key, value] : tags) {
    if (HasPercent(key) || HasPercent(value)) return done(PercentRefused("add tags to", address));
  }
  done(MutateStream(address, [&](StreamState& s, int64_t) -> Status {
    if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) {
      return Status::InUse(NotActiveMessage(s));
    }
    std::map<std::string, std::string> merged = s.tags;
    for (auto& [key, value] : tags) merged[key] = value;
    if (merged.size() > kMaxTagsPerStream) {
      return Status::InvalidArgument("Failed to add tags to stream " + address.name + " under account " +
                                     address.account_id +
                                     " because a given stream cannot have more than 50 tags associated with it.");
    }
    s.tags = std::move(merged);
    return Status::Ok();
  }));
}

StatusOr<TagList> StreamService::ListTags(const StreamAddress& address,
                                          const std::optional<std::string>& exclusive_start_key,
                                          std::optional<int64_t> limit) {
  RIFFLE_RETURN_IF_ERROR(Barrier());
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  TagList list;
  int64_t max = limit.value_or(static_cast<int64_t>(kMaxTagsPerStream));
  for (const auto& [key, value] : stream->state.tags) {
    if (exclusive_start_key && key <= *exclusive_start_key) continue;
    if (static_cast<int64_t>(list.tags.size()) >= max) {
      list.has_more = true;
      break;
    }
    list.tags.emplace_back(key, value);
  }
  return list;
}

void StreamService::RemoveTags(const StreamAddress& address, std::vector<std::string> keys, Done done) {
  for (const std::string& key : keys) {
    if (!ValidTagText(key)) return done(Status::InvalidArgument(kInvalidTagCharacters));
  }
  for (const std::string& key : keys) {
    if (HasPercent(key)) return done(PercentRefused("remove tags from", address));
  }
  done(MutateStream(address, [&](StreamState& s, int64_t) -> Status {
    if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting) {
      return Status::InUse(NotActiveMessage(s));
    }
    for (const std::string& key : keys) s.tags.erase(key);
    return Status::Ok();
  }));
}

void StreamService::TagResource(const ResourceRef& resource, std::map<std::string, std::string> tags, Done done) {
  if (!resource.consumer) {
    return AddTags(resource.stream, {tags.begin(), tags.end()}, std::move(done));
  }
  if (Status checked = CheckTagText(tags); !checked.ok()) return done(checked);
  const StreamAddress& address = resource.stream;
  done(MutateConsumer(resource, [&](ConsumerState& c, const StreamEntry&, int64_t) -> Status {
    if (c.status == ConsumerStatus::kDeleting) {
      // Wording not verified against AWS.
      return Status::InUse("Consumer " + c.name + " under stream " + address.name + " is being deleted.");
    }
    std::map<std::string, std::string> merged = c.tags;
    for (auto& [key, value] : tags) merged[key] = value;
    if (merged.size() > kMaxTagsPerResource) {
      // Wording not verified against AWS.
      return Status::InvalidArgument("Failed to add tags to consumer " + c.name + " under stream " + address.name +
                                     " because a given consumer cannot have more than 50 tags associated with it.");
    }
    c.tags = std::move(merged);
    return Status::Ok();
  }));
}

void StreamService::UntagResource(const ResourceRef& resource, std::vector<std::string> keys, Done done) {
  if (!resource.consumer) return RemoveTags(resource.stream, std::move(keys), std::move(done));
  for (const std::string& key : keys) {
    if (!ValidTagText(key)) return done(Status::InvalidArgument(kInvalidTagCharacters));
  }
  done(MutateConsumer(resource, [&](ConsumerState& c, const StreamEntry&, int64_t) -> Status {
    for (const std::string& key : keys) c.tags.erase(key);
    return Status::Ok();
  }));
}

StatusOr<std::map<std::string, std::string>> StreamService::ListResourceTags(const ResourceRef& resource) {
  RIFFLE_RETURN_IF_ERROR(Barrier());
  const StreamAddress& address = resource.stream;
  const int64_t now = clock_.NowMs();
  StreamPtr stream = Find(address);
  if (stream == nullptr || stream->IsGone(now)) return StreamNotFound(address);
  if (!resource.consumer) return stream->state.tags;
  ConsumerPtr consumer = LiveConsumer(*stream, *resource.consumer, resource.consumer_created_seconds, now);
  if (consumer == nullptr) return ConsumerNotFound(address, *resource.consumer);
  return consumer->state.tags;
}

}  // namespace riffle::core
