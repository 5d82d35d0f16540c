// `riffle ls`: every stream's name, one a line (ListStreams, all pages).
#include <cstdio>

#include "app/client_command_support.h"

namespace riffle::app {

int RunLs(const ClientFlags& flags) {
  auto client = MakeCommandClient(flags);
  if (!client) return 1;
  kinesis::Paginator<kinesis::ops::ListStreams> pages(*client, {});
  while (pages.HasMorePages()) {
    auto page = pages.NextPage();
    if (!page.ok()) return Fail("ListStreams", page.error());
    for (const std::string& name : page->StreamNames.value_or(std::vector<std::string>{})) {
      std::printf("%s\n", name.c_str());
    }
  }
  return 0;
}

}  // namespace riffle::app
