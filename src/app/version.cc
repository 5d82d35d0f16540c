#include "app/version.h"

#include "app/build_info.h"

namespace riffle::app {

std::string VersionLine() {
  return std::string("riffle ") + kRiffleVersion + " (build " + kRiffleBuild + ", " + kRiffleBuildType + ")";
}

}  // namespace riffle::app
