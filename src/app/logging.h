// The server's log: standard error (standard output carries only the ready
// lines), as text or as one JSON object per line (--log-format).
#pragma once

#include <string>

namespace riffle::app {

// Sets up the default logger: `format` "text" or "json", `level` a spdlog
// level name. JSON lines: {"time":"2026-01-02T03:04:05.678Z","level":"info","msg":"..."}.
void SetUpLogging(const std::string& format, const std::string& level);

// `text` as a JSON string, quoted and escaped (also a TOML basic string).
std::string JsonQuote(const std::string& text);

}  // namespace riffle::app
