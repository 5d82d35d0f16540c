// The client commands of `riffle` — ls, create, rm, describe, put, tail —
// for people at a shell, on libriffle-kinesis (docs/client.md). Each takes
// --endpoint URL (default: env AWS_ENDPOINT_URL_KINESIS, else
// http://127.0.0.1:4567), --region and --profile; data goes to standard
// output, progress and errors to standard error; exit code 0 on success, 1
// when the service or the connection failed, 2 for bad arguments.
#pragma once

#include <optional>
#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace riffle::app {

// What every client command takes.
struct ClientFlags {
  std::string endpoint;
  std::string region;
  std::string profile;
};

// Registers the commands on `app` and keeps their parsed flags.
class ClientCommands {
 public:
  explicit ClientCommands(CLI::App& app);
  ~ClientCommands();
  ClientCommands(const ClientCommands&) = delete;
  ClientCommands& operator=(const ClientCommands&) = delete;

  // After parsing: the exit code of the command that was given, or nullopt
  // when none of these was.
  std::optional<int> Run();

 private:
  struct State;
  State* state_;
};

}  // namespace riffle::app
