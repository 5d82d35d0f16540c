// The web console's files (console/ in the source tree), built into the
// binary: console_assets.cc is generated at build time by
// tools/embed_console.py from the bundled page (docs/console.md).
#pragma once

#include <span>
#include <string_view>

namespace riffle::net {

struct ConsoleAsset {
  std::string_view path;          // under /console/, e.g. "index.html", "main.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted strong validator: a hash of the content
  std::string_view identity;      // the file's bytes
  std::string_view gzip;          // the same, gzip-compressed
};

// Every file of the console; empty when the build left the console out
// (cmake -DRIFFLE_CONSOLE=OFF). Immutable, static storage.
std::span<const ConsoleAsset> ConsoleAssets();

}  // namespace riffle::net
