#include "store/memory/meta_table.h"

#include <utility>

namespace riffle::store {
namespace {

Status ConflictFor(const MetaWrite& write) {
  return Status::Conflict("metadata key changed concurrently (expected revision " +
                          (write.expected_revision == kMustNotExist ? std::string("none")
                                                                    : std::to_string(write.expected_revision)) +
                          ")");
}

// Whether a key in state (exists, revision) satisfies the write's expectation.
bool Expected(const MetaWrite& write, bool exists, uint64_t revision) {
  if (write.expected_revision == kAnyRevision) return true;
  if (write.expected_revision == kMustNotExist) return !exists;
  return exists && revision == write.expected_revision;
}

}  // namespace

void MetaTable::Load(std::vector<std::pair<std::string, std::string>> pairs) {
  std::lock_guard lock(mu_);
  for (auto& [key, value] : pairs) committed_[std::move(key)] = Value{std::move(value), next_revision_++};
}

std::vector<MetaEntry> MetaTable::Scan(const std::string& prefix) const {
  std::lock_guard lock(mu_);
  std::vector<MetaEntry> out;
  for (auto it = committed_.lower_bound(prefix); it != committed_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back({it->first, it->second.value, it->second.revision});
  }
  return out;
}

std::optional<MetaEntry> MetaTable::Get(const std::string& key, bool ephemeral) const {
  std::lock_guard lock(mu_);
  if (ephemeral) {
    auto it = ephemeral_.find(key);
    if (it == ephemeral_.end()) return std::nullopt;
    return MetaEntry{key, it->second.value, it->second.revision};
  }
  auto it = committed_.find(key);
  if (it == committed_.end()) return std::nullopt;
  return MetaEntry{key, it->second.value, it->second.revision};
}

uint64_t MetaTable::LatestRevision(const std::string& key) const {
  auto r = reserved_.find(key);
  if (r != reserved_.end()) return r->second.deletes ? 0 : r->second.revision;
  auto c = committed_.find(key);
  return c == committed_.end() ? 0 : c->second.revision;
}

StatusOr<uint64_t> MetaTable::Reserve(const MetaWrite& write) {
  const uint64_t latest = LatestRevision(write.key);
  if (!Expected(write, latest != 0, latest)) return ConflictFor(write);
  const uint64_t revision = next_revision_++;
  Reserved& r = reserved_[write.key];
  r.revision = revision;
  r.deletes = !write.value.has_value();
  ++r.count;
  return revision;
}

MetaChange MetaTable::Commit(const MetaWrite& write, uint64_t revision) {
  std::lock_guard lock(mu_);
  if (write.value) {
    committed_[write.key] = Value{*write.value, revision};
  } else {
    committed_.erase(write.key);
  }
  ReleaseLocked(write.key);
  return MetaChange{write.key, write.value, revision, false};
}

StatusOr<MetaChange> MetaTable::Apply(const MetaWrite& write) {
  std::lock_guard lock(mu_);
  const uint64_t latest = LatestRevision(write.key);
  if (!Expected(write, latest != 0, latest)) return ConflictFor(write);
  const uint64_t revision = next_revision_++;
  if (write.value) {
    committed_[write.key] = Value{*write.value, revision};
  } else {
    committed_.erase(write.key);
  }
  return MetaChange{write.key, write.value, revision, false};
}

void MetaTable::Abandon(const std::string& key) {
  std::lock_guard lock(mu_);
  ReleaseLocked(key);
}

void MetaTable::ReleaseLocked(const std::string& key) {
  auto it = reserved_.find(key);
  if (it == reserved_.end()) return;
  if (--it->second.count <= 0) reserved_.erase(it);
}

StatusOr<MetaChange> MetaTable::WriteEphemeral(const MetaWrite& write, int64_t now_ms) {
  std::lock_guard lock(mu_);
  DropExpiredEphemeral(now_ms);
  auto it = ephemeral_.find(write.key);
  const bool exists = it != ephemeral_.end();
  if (!Expected(write, exists, exists ? it->second.revision : 0)) return ConflictFor(write);
  const uint64_t revision = next_ephemeral_revision_++;
  if (write.value) {
    ephemeral_[write.key] = Ephemeral{*write.value, revision, now_ms};
  } else if (exists) {
    ephemeral_.erase(it);
  }
  return MetaChange{write.key, write.value, revision, true};
}

void MetaTable::DropExpiredEphemeral(int64_t now_ms) {
  if (now_ms < next_expiry_check_ms_) return;
  next_expiry_check_ms_ = now_ms + 60 * 1000;
  std::erase_if(ephemeral_, [now_ms](const auto& entry) { return now_ms - entry.second.written_ms > kEphemeralTtlMs; });
}

}  // namespace riffle::store
