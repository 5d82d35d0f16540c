// `riffle --version`: the version and the build it came from.
#pragma once

#include <string>

namespace riffle::app {

// "riffle 0.9.0 (build 4350d03a1b2c, RelWithDebInfo)": the version, the commit
// the build was configured at, the build type.
std::string VersionLine();

}  // namespace riffle::app
