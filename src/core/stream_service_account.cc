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
AccountSettingsState AsOf(AccountSettingsState a, int64_t now) {
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
  auto it = accounts_.find(AccountSettingsKey(account_id, region));
  if (it == accounts_.end()) return false;
  return AsOf(it->second, now).status != CommitmentStatus::kDisabled;
}

AccountSettings StreamService::DescribeAccountSettings(const std::string& account_id, const std::string& region) {
  std::lock_guard control(control_mu_);
  auto it = accounts_.find(AccountSettingsKey(account_id, region));
  if (it == accounts_.end()) return AccountSettings{};
  return Describe(AsOf(it->second, clock_.NowMs()));
}

void StreamService::UpdateAccountSettings(const std::string& account_id, const std::string& region, bool enable,
                                          std::function<void(StatusOr<AccountSettings>)> done) {
  std::lock_guard control(control_mu_);
  int64_t now = clock_.NowMs();
  std::string key = AccountSettingsKey(account_id, region);
  AccountSettingsState& stored = accounts_[key];
  AccountSettingsState a = AsOf(stored, now);
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
  stored = a;
  store::Mutation m;
  m.meta_puts.emplace_back(key, EncodeAccountSettings(a));
  Commit(std::move(m), [done = std::move(done), result](Status status) {
    if (!status.ok()) return done(status);
    done(result);
  });
}

}  // namespace riffle::core
