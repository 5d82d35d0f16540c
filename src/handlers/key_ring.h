// KeyRing: the access keys Riffle accepts (from `--credentials FILE`, loaded
// by app/credentials.h), each with its secret, optional session token and
// the caller it stands for: IAM user, account and identity policy.
//
// A KeyRing is immutable once built and shared by pointer; KeyRingSlot holds
// the current one and is swapped whole on reload (SIGHUP), so a request sees
// one consistent ring from signature to authorization. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "protocol/iam_policy.h"
#include "protocol/sigv4_verifier.h"

namespace riffle::handlers {

// Who a verified request comes from.
struct Caller {
  std::string user_name;   // the credentials file's section name
  std::string account_id;  // the account the key acts in
  std::string arn;         // arn:aws:iam::ACCOUNT:user/NAME
  // The identity policy; null: every action on every resource of its own
  // account, and on other accounts' resources their resource policies allow.
  std::shared_ptr<const protocol::IamPolicy> policy;
};

struct KeyEntry {
  protocol::SigningSecret secret;
  std::shared_ptr<const Caller> caller;
};

class KeyRing {
 public:
  // Adds a key. REQUIRES: `access_key_id` not added before.
  void Add(std::string access_key_id, KeyEntry entry) { keys_.emplace(std::move(access_key_id), std::move(entry)); }
  // nullptr when the key is unknown.
  const KeyEntry* Find(std::string_view access_key_id) const {
    auto it = keys_.find(access_key_id);
    return it == keys_.end() ? nullptr : &it->second;
  }
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, KeyEntry, std::less<>> keys_;
};

// The current KeyRing, replaced whole on reload.
class KeyRingSlot {
 public:
  explicit KeyRingSlot(std::shared_ptr<const KeyRing> ring) : ring_(std::move(ring)) {}
  std::shared_ptr<const KeyRing> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ring_;
  }
  void Set(std::shared_ptr<const KeyRing> ring) {
    std::lock_guard<std::mutex> lock(mu_);
    ring_.swap(ring);  // the old ring is freed by `ring`, after the lock is released
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const KeyRing> ring_;  // guarded by mu_
};

}  // namespace riffle::handlers
