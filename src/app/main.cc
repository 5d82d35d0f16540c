// riffle: a streaming data server that speaks the Amazon Kinesis Data
// Streams API. Subcommands: serve, cert, and the client commands (ls, create,
// rm, describe, put, tail: app/client_commands.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/cert.h"
#include "app/client_commands.h"
#include "app/command_backup.h"
#include "app/serve.h"
#include "app/serve_flags.h"
#include "app/version.h"

// jemalloc's options, read at its start when the binary links it (ignored
// otherwise): a background thread returns freed memory to the system within
// a few seconds instead of whenever the next allocation happens, so RSS falls
// back after a burst even while idle; blocks of any size, GetRecords' 13 MiB
// responses included, are reused while requests keep coming instead of being
// unmapped at once and page-faulted in afresh (docs/memory.md).
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true,dirty_decay_ms:5000,muzzy_decay_ms:0,oversize_threshold:0";
}

int main(int argc, char** argv) {
  CLI::App app{"Riffle: a Kinesis Data Streams compatible server"};
  app.require_subcommand(1);
  app.set_version_flag("--version", riffle::app::VersionLine());
  riffle::app::ServeConfig config;
  CLI::App* serve = app.add_subcommand("serve", "Run the server");
  riffle::app::ServeFlags serve_flags(serve, config);

  riffle::app::CertConfig cert_config;
  CLI::App* cert = app.add_subcommand("cert", "Write a self-signed certificate and key for https");
  cert->add_option("--out-dir", cert_config.out_dir, "Directory for riffle.crt and riffle.key")
      ->capture_default_str();
  std::vector<std::string> sans;
  cert->add_option("--san", sans, "Subject alternative name (DNS name or IP), repeatable "
                                  "(default: localhost and 127.0.0.1)");
  cert->add_option("--days", cert_config.days, "Validity in days")->capture_default_str();
  std::string backup_admin, backup_out;
  CLI::App* backup = app.add_subcommand("backup", "Have a running server copy its store into a new directory");
  backup->add_option("--admin", backup_admin, "The server's admin listener, http://HOST:PORT (--admin-port)")
      ->required();
  backup->add_option("--out", backup_out, "New directory on the server's machine for the copy")->required();
  riffle::app::ClientCommands client_commands(app);
  CLI11_PARSE(app, argc, argv);
  if (auto code = client_commands.Run()) return *code;
  if (backup->parsed()) return riffle::app::Backup(backup_admin, backup_out);
  if (cert->parsed()) {
    if (!sans.empty()) cert_config.sans = sans;
    return riffle::app::Cert(cert_config);
  }
  std::string config_file = serve_flags.config_file();
  if (config_file.empty() && std::getenv("RIFFLE_CONFIG") != nullptr) config_file = std::getenv("RIFFLE_CONFIG");
  std::string config_error = serve_flags.ApplyEnvironmentAndFile(config_file);
  if (!config_error.empty()) {
    std::fprintf(stderr, "riffle: %s\n", config_error.c_str());
    return 2;
  }
  if (serve_flags.print_config()) {
    std::fputs(serve_flags.PrintConfig().c_str(), stdout);
    return 0;
  }
  return riffle::app::Serve(config);
}
