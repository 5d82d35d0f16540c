#include "core/stream_registry.h"

#include <algorithm>
#include <mutex>

#include "core/stream_codec.h"

namespace riffle::core {

namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

uint32_t StreamEntry::Route(HashKey key) const {
  auto it = std::upper_bound(open_by_start.begin(), open_by_start.end(), key,
                             [this](HashKey k, uint32_t index) { return k < state.shards[index].range.start; });
  return *(it - 1);
}

StreamPtr MakeStreamEntry(StreamState state, uint64_t revision) {
  auto entry = std::make_shared<StreamEntry>();
  entry->state = std::move(state);
  entry->revision = revision;
  for (const ShardState& shard : entry->state.shards) {
    if (!shard.closed) entry->open_by_start.push_back(shard.index);
  }
  const std::vector<ShardState>& shards = entry->state.shards;
  std::sort(entry->open_by_start.begin(), entry->open_by_start.end(),
            [&shards](uint32_t a, uint32_t b) { return shards[a].range.start < shards[b].range.start; });
  return entry;
}

void StreamRegistry::Apply(const store::MetaChange& change, bool from_feed) {
  StreamPtr reported;
  uint64_t incarnation = 0;
  bool changed;
  {
    std::unique_lock lock(mu_);
    changed = ApplyLocked(change, from_feed, &reported, &incarnation);
  }
  if (changed && listener_) listener_(change.key, reported, incarnation);
}

bool StreamRegistry::Newer(const std::string& key, uint64_t current_revision, bool exists, uint64_t revision) const {
  if (exists) return revision > current_revision;
  auto tomb = tombstones_.find(key);
  return tomb == tombstones_.end() || revision > tomb->second;
}

void StreamRegistry::Bury(const std::string& key, uint64_t revision) {
  // A tombstone only matters until the feed has delivered its revision: no
  // older change of the key can arrive after that.
  if (revision > feed_revision_) tombstones_[key] = revision;
}

bool StreamRegistry::ApplyLocked(const store::MetaChange& change, bool from_feed, StreamPtr* reported,
                                 uint64_t* incarnation) {
  const std::string& key = change.key;
  if (change.ephemeral) {
    auto it = leases_.find(key);
    if (it != leases_.end() ? change.revision <= it->second.revision
                            : (lease_tombstones_.count(key) != 0 && change.revision <= lease_tombstones_[key])) {
      return false;
    }
    if (change.value) {
      auto started = DecodeLease(*change.value);
      if (!started.ok()) {
        ++undecodable_;
        return false;
      }
      leases_[key] = LeaseEntry{*started, change.revision};
      lease_tombstones_.erase(key);
    } else {
      leases_.erase(key);
      lease_tombstones_[key] = change.revision;
    }
    *incarnation = LeaseIncarnation(key);
    return true;
  }
  if (from_feed) {
    feed_revision_ = std::max(feed_revision_, change.revision);
    if (tombstones_.size() > 64) {
      std::erase_if(tombstones_, [this](const auto& t) { return t.second <= feed_revision_; });
    }
  }

  if (StartsWith(key, kStreamKeyPrefix)) {
    auto it = streams_.find(key);
    const bool exists = it != streams_.end();
    if (!Newer(key, exists ? it->second->revision : 0, exists, change.revision)) return false;
    if (change.value) {
      StatusOr<StreamState> state = DecodeStreamState(*change.value);
      if (!state.ok()) {
        ++undecodable_;
        return false;
      }
      StreamPtr entry = MakeStreamEntry(std::move(*state), change.revision);
      if (exists && it->second->state.incarnation != entry->state.incarnation) {
        by_incarnation_.erase(it->second->state.incarnation);
      }
      by_incarnation_[entry->state.incarnation] = entry;
      streams_[key] = entry;
      tombstones_.erase(key);
      *reported = entry;
    } else {
      if (exists) {
        *reported = it->second;
        by_incarnation_.erase(it->second->state.incarnation);
        streams_.erase(it);
      }
      Bury(key, change.revision);
    }
    if (*reported) *incarnation = (*reported)->state.incarnation;
    return true;
  }
  if (StartsWith(key, kConsumerKeyPrefix)) {
    auto it = consumers_.find(key);
    const bool exists = it != consumers_.end();
    if (!Newer(key, exists ? it->second->revision : 0, exists, change.revision)) return false;
    if (change.value) {
      StatusOr<ConsumerState> state = DecodeConsumerState(*change.value);
      if (!state.ok()) {
        ++undecodable_;
        return false;
      }
      *incarnation = state->incarnation;
      consumers_[key] = std::make_shared<ConsumerEntry>(ConsumerEntry{std::move(*state), change.revision});
      tombstones_.erase(key);
    } else {
      if (exists) {
        *incarnation = it->second->state.incarnation;
        consumers_.erase(it);
      }
      Bury(key, change.revision);
    }
    auto stream = by_incarnation_.find(*incarnation);
    if (stream != by_incarnation_.end()) *reported = stream->second;
    return true;
  }
  if (StartsWith(key, kAccountKeyPrefix)) {
    auto it = accounts_.find(key);
    const bool exists = it != accounts_.end();
    if (!Newer(key, exists ? it->second.revision : 0, exists, change.revision)) return false;
    if (change.value) {
      StatusOr<AccountSettingsState> state = DecodeAccountSettings(*change.value);
      if (!state.ok()) {
        ++undecodable_;
        return false;
      }
      accounts_[key] = AccountEntry{*state, change.revision};
      tombstones_.erase(key);
    } else {
      if (exists) accounts_.erase(it);
      Bury(key, change.revision);
    }
    return true;
  }
  // Anything else (global/...): kept verbatim.
  auto it = globals_.find(key);
  const bool exists = it != globals_.end();
  if (!Newer(key, exists ? it->second.revision : 0, exists, change.revision)) return false;
  if (change.value) {
    globals_[key] = store::MetaEntry{key, *change.value, change.revision};
    tombstones_.erase(key);
  } else {
    if (exists) globals_.erase(it);
    Bury(key, change.revision);
  }
  return true;
}

StreamPtr StreamRegistry::Find(const std::string& stream_key) const {
  std::shared_lock lock(mu_);
  auto it = streams_.find(stream_key);
  return it == streams_.end() ? nullptr : it->second;
}

StreamPtr StreamRegistry::FindByIncarnation(uint64_t incarnation) const {
  std::shared_lock lock(mu_);
  auto it = by_incarnation_.find(incarnation);
  return it == by_incarnation_.end() ? nullptr : it->second;
}

std::vector<StreamPtr> StreamRegistry::Streams() const {
  std::shared_lock lock(mu_);
  std::vector<StreamPtr> out;
  out.reserve(streams_.size());
  for (const auto& [key, entry] : streams_) out.push_back(entry);
  return out;
}

std::vector<ConsumerPtr> StreamRegistry::Consumers(const StreamAddress& stream, uint64_t incarnation) const {
  const std::string prefix = ConsumerMetaKey(stream, "");
  std::shared_lock lock(mu_);
  std::vector<ConsumerPtr> out;
  for (auto it = consumers_.lower_bound(prefix); it != consumers_.end() && StartsWith(it->first, prefix); ++it) {
    if (it->second->state.incarnation == incarnation) out.push_back(it->second);
  }
  return out;
}

ConsumerPtr StreamRegistry::FindConsumer(const std::string& consumer_key) const {
  std::shared_lock lock(mu_);
  auto it = consumers_.find(consumer_key);
  return it == consumers_.end() ? nullptr : it->second;
}

std::optional<AccountEntry> StreamRegistry::Account(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = accounts_.find(key);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

std::optional<LeaseEntry> StreamRegistry::Lease(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = leases_.find(key);
  if (it == leases_.end()) return std::nullopt;
  return it->second;
}

std::optional<store::MetaEntry> StreamRegistry::Global(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = globals_.find(key);
  if (it == globals_.end()) return std::nullopt;
  return it->second;
}

std::vector<store::MetaEntry> StreamRegistry::Globals(const std::string& prefix) const {
  std::shared_lock lock(mu_);
  std::vector<store::MetaEntry> out;
  for (auto it = globals_.lower_bound(prefix); it != globals_.end() && StartsWith(it->first, prefix); ++it) {
    out.push_back(it->second);
  }
  return out;
}

uint64_t StreamRegistry::undecodable() const {
  std::shared_lock lock(mu_);
  return undecodable_;
}

}  // namespace riffle::core
