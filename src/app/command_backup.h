// `riffle backup --admin URL --out DIR`: asks a running server (its admin
// listener, --admin-port) for a consistent copy of its store in DIR, a path
// on the server's machine that must not exist yet. Serving DIR with
// `riffle serve --data-dir DIR` restores it (docs/operations.md).
#pragma once

#include <string>

namespace riffle::app {

// Returns the exit code: 0 done, 1 the server refused or could not be reached.
int Backup(const std::string& admin_url, const std::string& out_dir);

}  // namespace riffle::app
