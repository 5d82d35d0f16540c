// StreamService account settings: Describe/UpdateAccountSettings
// (MinimumThroughputBillingCommitment), per account and region.
//
// Enabling starts a commitment of at least 24 hours (EarliestAllowedEndAt).
// Disabling before then does not end it at once: it stays
// ENABLED_UNTIL_EARLIEST_ALLOWED_END and ends at EarliestAllowedEndAt;
// enabling again before then cancels the pending end.
#include "core/stream_service_internal.h"

namespace riffle::core {

namespace {

constexpr int64_t kMinimumCommitmentMs = 24 * 3600 * 1000;

// The settings as of `now`: a pending end that has passed has ended.
AccountSettingsState SettingsAsOf(AccountSettingsState a, int64_t now) {
  if (a.status == CommitmentStatus::kEnabledUntilEarliestAllowedEnd && now >= a.earliest_end_ms) {
    a.status = CommitmentStatus::kDisabled;
    a.ended_ms = a.earliest_end_ms;
  }
  return a;
}

AccountSettings Describe(const AccountSettingsState& a) {
  AccountSettings out;
  out.status = a.status;
  if (a.started_ms != 0) out.started_ms = a.started_ms;
  if (a.ended_ms != 0) out.ended_ms = a.ended_ms;
  if (a.earliest_end_ms != 0) out.earliest_end_ms = a.earliest_end_ms;
  return out;
}

}  // namespace

const char* CommitmentStatusName(CommitmentStatus status) {
  switch (status) {
    case CommitmentStatus::kDisabled:
      return "DISABLED";
    case CommitmentStatus::kEnabled:
      return "ENABLED";
    case CommitmentStatus::kEnabledUntilEarliestAllowedEnd:
      return "ENABLED_UNTIL_EARLIEST_ALLOWED_END";
  }
  return "DISABLED";
}

bool StreamService::CommitmentEnabled(const std::string& account_id, const std::string& region, int64_t now) {
  std::optional<AccountEntry> entry = registry_.Account(AccountSettingsKey(account_id, region));
  if (!entry) return false;
  return SettingsAsOf(entry->state, now).status != CommitmentStatus::kDisabled;
}

AccountSettings StreamService::DescribeAccountSettings(const std::string& account_id, const std::string& region) {
  (void)Barrier();  // on failure: what this node knows
  std::optional<AccountEntry> entry = registry_.Account(AccountSettingsKey(account_id, region));
  if (!entry) return AccountSettings{};
  return Describe(SettingsAsOf(entry->state, clock_.NowMs()));
}

void StreamService::UpdateAccountSettings(const std::string& account_id, const std::string& region, bool enable,
                                          std::function<void(StatusOr<AccountSettings>)> done) {
  const std::string key = AccountSettingsKey(account_id, region);
  auto lock = key_locks_.Lock(key);
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (Status synced = Barrier(); !synced.ok()) return done(synced);
    const int64_t now = clock_.NowMs();
    std::optional<AccountEntry> entry = registry_.Account(key);
    AccountSettingsState stored = entry ? entry->state : AccountSettingsState{};
    AccountSettingsState a = SettingsAsOf(stored, now);
    if (enable) {
      if (a.status == CommitmentStatus::kDisabled) {
        a.status = CommitmentStatus::kEnabled;
        a.started_ms = now;
        a.ended_ms = 0;
        a.earliest_end_ms = now + kMinimumCommitmentMs;
      } else if (a.status == CommitmentStatus::kEnabledUntilEarliestAllowedEnd) {
        a.status = CommitmentStatus::kEnabled;  // cancels the pending end
        a.ended_ms = 0;
      }
    } else if (a.status == CommitmentStatus::kEnabled) {
      if (now >= a.earliest_end_ms) {
        a.status = CommitmentStatus::kDisabled;
        a.ended_ms = now;
      } else {
        a.status = CommitmentStatus::kEnabledUntilEarliestAllowedEnd;
        a.ended_ms = a.earliest_end_ms;
      }
    }
    AccountSettings result = Describe(a);
    if (a == stored) return done(result);
    auto written = WriteMetaAndWait({key, EncodeAccountSettings(a), entry ? entry->revision : store::kMustNotExist});
    if (written.ok()) return done(result);
    if (written.status().code() != Errc::kConflict) return done(written.status());
  }
  done(Status::Unavailable("the account settings kept changing; try again"));
}

}  // namespace riffle::core
