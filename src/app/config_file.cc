// The environment and the --config TOML file behind the serve flags
// (app/serve_flags.h), and --print-config.
#include <toml++/toml.h>

#include <cstdlib>
#include <sstream>

#include "app/logging.h"
#include "app/serve_flags.h"

namespace riffle::app {
namespace {

// One line naming where a setting came from and what is wrong with it.
std::string Where(const std::string& file, const toml::node& node, const std::string& key) {
  return file + ":" + std::to_string(node.source().begin.line) + ": key '" + key + "'";
}

bool AllDigits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

bool ValidStreamName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// The string values of a TOML string or array of strings; false when another type.
bool Strings(const toml::node& node, std::vector<std::string>& out) {
  if (auto text = node.value<std::string>(); text && node.is_string()) {
    out.push_back(*text);
    return true;
  }
  const toml::array* array = node.as_array();
  if (array == nullptr) return false;
  for (const toml::node& item : *array) {
    if (!item.is_string()) return false;
    out.push_back(*item.value<std::string>());
  }
  return true;
}

// A [[streams]] table into `stream`; "" or what is wrong.
std::string ParseStream(const std::string& file, const toml::table& table, StartupStream& stream) {
  stream.origin = file + ":" + std::to_string(table.source().begin.line);
  bool has_shards = false;
  for (const auto& [key_view, node] : table) {
    const std::string key(key_view.str());
    const std::string where = Where(file, node, "streams." + key);
    if (key == "name" || key == "mode" || key == "account_id" || key == "region") {
      if (!node.is_string()) return where + ": must be a string";
      const std::string value = *node.value<std::string>();
      if (key == "name") {
        if (!ValidStreamName(value)) return where + ": must be 1 to 128 of a-z A-Z 0-9 _ . - (got '" + value + "')";
        stream.name = value;
      } else if (key == "mode") {
        if (value != "ON_DEMAND" && value != "PROVISIONED") return where + ": must be PROVISIONED or ON_DEMAND";
        stream.on_demand = value == "ON_DEMAND";
      } else if (key == "account_id") {
        if (value.size() != 12 || !AllDigits(value)) return where + ": must be 12 digits";
        stream.account_id = value;
      } else {
        if (value.empty()) return where + ": must not be empty";
        stream.region = value;
      }
    } else if (key == "shards" || key == "retention_hours") {
      if (!node.is_integer()) return where + ": must be an integer";
      const int64_t value = *node.value<int64_t>();
      if (key == "shards") {
        if (value < 1 || value > 10000) return where + ": must be from 1 to 10000";
        stream.shards = value;
        has_shards = true;
      } else {
        if (value < 24 || value > 8760) return where + ": must be from 24 to 8760";
        stream.retention_hours = value;
      }
    } else if (key == "consumers") {
      if (!node.is_array() || !Strings(node, stream.consumers)) return where + ": must be an array of strings";
    } else if (key == "tags") {
      const toml::table* tags = node.as_table();
      if (tags == nullptr) return where + ": must be a table of strings";
      for (const auto& [tag, value] : *tags) {
        if (!value.is_string()) return Where(file, value, "streams.tags." + std::string(tag.str())) + ": must be a string";
        stream.tags.emplace_back(std::string(tag.str()), *value.value<std::string>());
      }
    } else {
      return where + ": unknown key";
    }
  }
  if (stream.name.empty()) return stream.origin + ": key 'streams.name': missing";
  if (has_shards && stream.on_demand) return stream.origin + ": key 'streams.shards': not with mode = \"ON_DEMAND\"";
  return "";
}

// RIFFLE_STREAMS="orders:4,clicks:1,events:ON_DEMAND" ("name" alone: 1 shard).
std::string ParseStreamsEnv(const std::string& text, std::vector<StartupStream>& streams) {
  for (const std::string& item : SplitCommas(text)) {
    StartupStream stream;
    stream.origin = "RIFFLE_STREAMS";
    const size_t colon = item.find(':');
    stream.name = item.substr(0, colon);
    if (!ValidStreamName(stream.name)) return "RIFFLE_STREAMS: invalid stream name '" + stream.name + "'";
    if (colon != std::string::npos) {
      const std::string count = item.substr(colon + 1);
      if (count == "ON_DEMAND" || count == "on_demand") {
        stream.on_demand = true;
      } else if (AllDigits(count) && count.size() < 6 && std::stoi(count) >= 1) {
        stream.shards = std::stoi(count);
      } else {
        return "RIFFLE_STREAMS: '" + item + "': expected NAME:SHARDS or NAME:ON_DEMAND";
      }
    }
    streams.push_back(std::move(stream));
  }
  return "";
}

// Gives `flag` the values (a flag not given on the command line); "" or CLI11's complaint.
std::string Apply(const ServeFlag& flag, std::vector<std::string> values) {
  try {
    flag.option->add_result(std::move(values));
    flag.option->run_callback();
  } catch (const CLI::Error& e) {
    flag.option->clear();
    return e.what();
  }
  return "";
}

}  // namespace

std::string ServeFlags::ApplyEnvironmentAndFile(const std::string& file) {
  toml::table root;
  if (!file.empty()) {
    try {
      root = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
      return file + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description());
    }
    for (const auto& [key_view, node] : root) {
      const std::string key(key_view.str());
      if (key == "streams" || Find(key) != nullptr) continue;
      return Where(file, node, key) + ": unknown key";
    }
  }
  for (const ServeFlag& flag : flags_) {
    if (flag.option->count() > 0) continue;  // the command line wins
    if (const char* env = std::getenv(flag.EnvName().c_str())) {
      std::vector<std::string> values =
          flag.kind == FlagKind::kStrings ? SplitCommas(env) : std::vector<std::string>{env};
      std::string error = Apply(flag, std::move(values));
      if (!error.empty()) return "environment " + flag.EnvName() + ": " + error;
      continue;
    }
    const toml::node* node = root.get(flag.Key());
    if (node == nullptr) continue;
    std::vector<std::string> values;
    const std::string where = Where(file, *node, flag.Key());
    switch (flag.kind) {
      case FlagKind::kString:
        if (!node->is_string()) return where + ": must be a string";
        values.push_back(*node->value<std::string>());
        break;
      case FlagKind::kInteger:
        if (!node->is_integer()) return where + ": must be an integer";
        values.push_back(std::to_string(*node->value<int64_t>()));
        break;
      case FlagKind::kBool:
        if (!node->is_boolean()) return where + ": must be true or false";
        values.push_back(*node->value<bool>() ? "true" : "false");
        break;
      case FlagKind::kStrings:
        if (!Strings(*node, values)) return where + ": must be a string or an array of strings";
        break;
    }
    std::string error = Apply(flag, std::move(values));
    if (!error.empty()) return where + ": " + error;
  }
  if (const char* env = std::getenv("RIFFLE_STREAMS")) return ParseStreamsEnv(env, config_.streams);
  if (const toml::node* streams = root.get("streams")) {
    const toml::array* array = streams->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      return Where(file, *streams, "streams") + ": must be [[streams]] tables";
    }
    for (const toml::node& item : *array) {
      StartupStream stream;
      std::string error = ParseStream(file, *item.as_table(), stream);
      if (!error.empty()) return error;
      config_.streams.push_back(std::move(stream));
    }
  }
  return "";
}

std::string ServeFlags::PrintConfig() const {
  std::string out = "# riffle serve: the effective configuration\n";
  for (const ServeFlag& flag : flags_) out += flag.Key() + " = " + flag.value_toml() + "\n";
  for (const StartupStream& stream : config_.streams) {
    out += "\n[[streams]]\nname = " + JsonQuote(stream.name) + "\n";
    if (stream.on_demand) {
      out += "mode = \"ON_DEMAND\"\n";
    } else {
      out += "shards = " + std::to_string(stream.shards) + "\n";
    }
    out += "retention_hours = " + std::to_string(stream.retention_hours) + "\n";
    if (!stream.account_id.empty()) out += "account_id = " + JsonQuote(stream.account_id) + "\n";
    if (!stream.region.empty()) out += "region = " + JsonQuote(stream.region) + "\n";
    if (!stream.consumers.empty()) {
      out += "consumers = [";
      for (size_t i = 0; i < stream.consumers.size(); ++i) out += (i ? ", " : "") + JsonQuote(stream.consumers[i]);
      out += "]\n";
    }
    if (!stream.tags.empty()) {
      out += "tags = {";
      for (size_t i = 0; i < stream.tags.size(); ++i) {
        out += (i ? ", " : " ") + JsonQuote(stream.tags[i].first) + " = " + JsonQuote(stream.tags[i].second);
      }
      out += " }\n";
    }
  }
  return out;
}

}  // namespace riffle::app
