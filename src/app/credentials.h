// `riffle serve --credentials FILE`: reads the credentials file
// (protocol/credentials_file.h) and the identity policy files it names, and
// builds the KeyRing the router verifies and authorizes against. Called at
// start and again on SIGHUP (a failed reload keeps the old ring).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/status.h"
#include "handlers/key_ring.h"

namespace riffle::app {

// The ring of `path`. A key acts in its section's account_id, else the
// account `accounts` maps it to (--account), else `default_account`.
// Fails with a message naming the file (and line or section) on any problem:
// unreadable file, bad syntax, a policy file that cannot be read or is not a
// policy Riffle evaluates (unsupported conditions included).
StatusOr<std::shared_ptr<const handlers::KeyRing>> LoadCredentials(
    const std::string& path, const std::map<std::string, std::string, std::less<>>& accounts,
    const std::string& default_account);

}  // namespace riffle::app
