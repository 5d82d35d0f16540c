#include "app/credentials.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "protocol/credentials_file.h"
#include "protocol/iam_policy.h"

namespace riffle::app {

namespace {

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

}  // namespace

StatusOr<std::shared_ptr<const handlers::KeyRing>> LoadCredentials(
    const std::string& path, const std::map<std::string, std::string, std::less<>>& accounts,
    const std::string& default_account) {
  std::optional<std::string> text = ReadFile(path);
  if (!text) return Status::InvalidArgument("cannot read credentials file " + path);
  auto entries = protocol::ParseCredentialsFile(*text);
  if (!entries.ok()) return Status::InvalidArgument("credentials file " + path + ": " + entries.status().message());

  auto ring = std::make_shared<handlers::KeyRing>();
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  for (protocol::CredentialEntry& entry : *entries) {
    auto caller = std::make_shared<handlers::Caller>();
    caller->user_name = entry.user_name;
    if (!entry.account_id.empty()) {
      caller->account_id = entry.account_id;
    } else if (auto mapped = accounts.find(entry.access_key_id); mapped != accounts.end()) {
      caller->account_id = mapped->second;
    } else {
      caller->account_id = default_account;
    }
    caller->arn = "arn:aws:iam::" + caller->account_id + ":user/" + entry.user_name;
    if (!entry.policy_file.empty()) {
      std::filesystem::path policy_path(entry.policy_file);
      if (policy_path.is_relative()) policy_path = folder / policy_path;
      std::optional<std::string> policy_text = ReadFile(policy_path);
      std::string where = "credentials file " + path + ", [" + entry.user_name + "] policy_file " +
                          policy_path.string();
      if (!policy_text) return Status::InvalidArgument(where + ": cannot read it");
      auto policy = protocol::IamPolicy::Parse(*policy_text, protocol::IamPolicy::Kind::kIdentity);
      if (!policy.ok()) return Status::InvalidArgument(where + ": " + policy.status().message());
      caller->policy = std::make_shared<const protocol::IamPolicy>(std::move(policy).value());
    }
    handlers::KeyEntry key{{std::move(entry.secret_access_key), std::move(entry.session_token)}, std::move(caller)};
    ring->Add(std::move(entry.access_key_id), std::move(key));
  }
  return std::shared_ptr<const handlers::KeyRing>(std::move(ring));
}

}  // namespace riffle::app
