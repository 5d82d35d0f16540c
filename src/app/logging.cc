#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include "protocol/json_writer.h"

namespace riffle::app {
namespace {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char time[96];
    std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = std::string("{\"time\":\"") + time + "\",\"level\":\"" +
                       std::string(level.data(), level.size()) + "\",\"msg\":" +
                       JsonQuote(std::string(msg.payload.data(), msg.payload.size())) + "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

std::string JsonQuote(const std::string& text) {
  protocol::JsonWriter writer;
  writer.String(text);
  return writer.Take();
}

void SetUpLogging(const std::string& format, const std::string& level) {
  auto logger = spdlog::stderr_color_mt("riffle");
  if (format == "json") logger->set_formatter(std::make_unique<JsonFormatter>());
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace riffle::app
