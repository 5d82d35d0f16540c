// The flags of `riffle serve`, declared once in a table that drives all three
// ways of setting them (docs/configuration.md): the command line (CLI11), the
// environment (RIFFLE_<FLAG>, upper case, '-' as '_') and the --config TOML
// file (key <flag> with '-' as '_'). Precedence: flag > environment > file >
// default.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "app/serve.h"

namespace riffle::app {

enum class FlagKind { kString, kInteger, kBool, kStrings };

struct ServeFlag {
  std::string name;  // "data-dir": --data-dir, RIFFLE_DATA_DIR, data_dir
  FlagKind kind;
  CLI::Option* option;
  std::function<std::string()> value_toml;  // the effective value as a TOML value

  std::string Key() const;       // data_dir
  std::string EnvName() const;   // RIFFLE_DATA_DIR
};

class ServeFlags {
 public:
  // Declares every flag on `serve`, bound to the fields of `config`.
  ServeFlags(CLI::App* serve, ServeConfig& config);

  // After the command line is parsed: each flag it did not give takes its
  // environment variable, else the file's key (file may be empty: no file).
  // [[streams]] and RIFFLE_STREAMS fill config.streams. Returns one line
  // naming what is wrong (file, line and key), or "" when all is well.
  std::string ApplyEnvironmentAndFile(const std::string& file);

  // The effective configuration as a TOML document (URL passwords masked).
  std::string PrintConfig() const;

  const std::string& config_file() const { return config_file_; }
  bool print_config() const { return print_config_; }

 private:
  template <typename T>
  void Add(const std::string& name, T& field, const std::string& help, bool show_default = true,
           const std::string& alias = "");
  const ServeFlag* Find(const std::string& key) const;

  CLI::App* serve_;
  ServeConfig& config_;
  std::vector<ServeFlag> flags_;
  std::string config_file_;
  bool print_config_ = false;
};

// "nats://user:secret@host:4222" → "nats://user:***@host:4222", and
// "nats://token@host:4222" → "nats://***@host:4222"; other text unchanged.
std::string MaskUrlPassword(const std::string& text);

}  // namespace riffle::app
