#include "app/client_commands.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "app/client_command_support.h"

namespace riffle::app {

struct ClientCommands::State {
  ClientFlags flags;
  CreateFlags create;
  RmFlags rm;
  DescribeFlags describe;
  PutFlags put;
  TailFlags tail;
  CLI::App* ls_cmd = nullptr;
  CLI::App* create_cmd = nullptr;
  CLI::App* rm_cmd = nullptr;
  CLI::App* describe_cmd = nullptr;
  CLI::App* put_cmd = nullptr;
  CLI::App* tail_cmd = nullptr;
};

namespace {

void AddCommon(CLI::App* cmd, ClientFlags& flags) {
  cmd->add_option("--endpoint", flags.endpoint,
                  "Kinesis endpoint URL (default: $AWS_ENDPOINT_URL_KINESIS, else http://127.0.0.1:4567)");
  cmd->add_option("--region", flags.region, "Region to sign for (default: $AWS_REGION, the profile's, us-east-1)");
  cmd->add_option("--profile", flags.profile, "Profile of ~/.aws/config and ~/.aws/credentials");
}

}  // namespace

ClientCommands::ClientCommands(CLI::App& app) : state_(new State) {
  State& s = *state_;
  s.ls_cmd = app.add_subcommand("ls", "List the streams, one name a line");
  AddCommon(s.ls_cmd, s.flags);

  s.create_cmd = app.add_subcommand("create", "Create a stream and wait until it is ACTIVE");
  s.create_cmd->add_option("name", s.create.name, "Stream name")->required();
  auto* shards = s.create_cmd->add_option("--shards", s.create.shards, "Provisioned with N shards")
                     ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  auto* on_demand = s.create_cmd->add_flag("--on-demand", s.create.on_demand, "ON_DEMAND capacity mode");
  shards->excludes(on_demand);
  s.create_cmd->add_flag("--no-wait", s.create.no_wait, "Do not wait until the stream is ACTIVE");
  AddCommon(s.create_cmd, s.flags);

  s.rm_cmd = app.add_subcommand("rm", "Delete a stream and wait until it is gone");
  s.rm_cmd->add_option("name", s.rm.name, "Stream name")->required();
  s.rm_cmd->add_flag("--force", s.rm.force, "Delete its registered consumers too (EnforceConsumerDeletion)");
  s.rm_cmd->add_flag("--no-wait", s.rm.no_wait, "Do not wait until the stream is gone");
  AddCommon(s.rm_cmd, s.flags);

  s.describe_cmd = app.add_subcommand("describe", "Show a stream: status, mode, shards and their lineage, consumers");
  s.describe_cmd->add_option("name", s.describe.name, "Stream name")->required();
  s.describe_cmd->add_option("--format", s.describe.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddCommon(s.describe_cmd, s.flags);

  s.put_cmd = app.add_subcommand("put", "Put one record per line of standard input");
  s.put_cmd->add_option("name", s.put.name, "Stream name")->required();
  s.put_cmd->add_option("--partition-key", s.put.partition_key,
                        "Partition key of every record (default: a random one per record)");
  s.put_cmd->add_flag("--aggregate", s.put.aggregate, "Pack records into KPL aggregated records");
  AddCommon(s.put_cmd, s.flags);

  s.tail_cmd = app.add_subcommand("tail", "Print a stream's records, all shards, across splits and merges");
  s.tail_cmd->add_option("name", s.tail.name, "Stream name")->required();
  s.tail_cmd->add_option("--from", s.tail.from,
                         "trim-horizon, latest, a time (2026-01-02T03:04:05Z or epoch seconds) or a sequence number")
      ->capture_default_str();
  s.tail_cmd->add_flag("--follow,-f", s.tail.follow, "Keep printing new records until interrupted");
  s.tail_cmd->add_option("--count,-n", s.tail.count, "Stop after N records")->check(CLI::Range(int64_t{1}, INT64_MAX));
  s.tail_cmd->add_option("--format", s.tail.format,
                         "text (each record's data and a newline) or json (one object a line, data in base64)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddCommon(s.tail_cmd, s.flags);
}

ClientCommands::~ClientCommands() { delete state_; }

std::optional<int> ClientCommands::Run() {
  State& s = *state_;
  if (s.ls_cmd->parsed()) return RunLs(s.flags);
  if (s.create_cmd->parsed()) return RunCreate(s.flags, s.create);
  if (s.rm_cmd->parsed()) return RunRm(s.flags, s.rm);
  if (s.describe_cmd->parsed()) return RunDescribe(s.flags, s.describe);
  if (s.put_cmd->parsed()) return RunPut(s.flags, s.put);
  if (s.tail_cmd->parsed()) return RunTail(s.flags, s.tail);
  return std::nullopt;
}

std::string CommandEndpoint(const ClientFlags& flags) {
  if (!flags.endpoint.empty()) return flags.endpoint;
  const char* env = std::getenv("AWS_ENDPOINT_URL_KINESIS");
  if (env && *env) return env;
  return "http://127.0.0.1:4567";
}

std::shared_ptr<kinesis::Client> MakeCommandClient(const ClientFlags& flags) {
  kinesis::ClientOptions options;
  options.endpoint = CommandEndpoint(flags);
  options.region = flags.region;
  options.profile = flags.profile;
  options.fallback_credentials = kinesis::Credentials{"riffle", "riffle", ""};
  auto client = kinesis::Client::Create(options);
  if (!client.ok()) {
    Fail("client", client.error());
    return nullptr;
  }
  return std::move(client.value());
}

int Fail(std::string_view what, const kinesis::Error& error) {
  std::fprintf(stderr, "riffle: %.*s: %s\n", static_cast<int>(what.size()), what.data(), error.ToString().c_str());
  return 1;
}

bool WaitForStream(kinesis::Client& client, const std::string& name, std::string_view status,
                   std::chrono::seconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto d = client.DescribeStreamSummary({.StreamName = name});
    if (!d.ok()) {
      if (status.empty() && d.error().code() == kinesis::ErrorCode::kResourceNotFound) return true;
      Fail("DescribeStreamSummary " + name, d.error());
      return false;
    }
    if (!status.empty() && d->StreamDescriptionSummary && d->StreamDescriptionSummary->StreamStatus == status) {
      return true;
    }
    if (std::chrono::steady_clock::now() > give_up) {
      std::fprintf(stderr, "riffle: stream %s: still %s after %lld s\n", name.c_str(),
                   d->StreamDescriptionSummary ? d->StreamDescriptionSummary->StreamStatus.value_or("?").c_str() : "?",
                   static_cast<long long>(timeout.count()));
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string FormatTime(double epoch_seconds) {
  std::time_t seconds = static_cast<std::time_t>(epoch_seconds);
  int millis = static_cast<int>((epoch_seconds - static_cast<double>(seconds)) * 1000 + 0.5);
  if (millis >= 1000) {
    ++seconds;
    millis -= 1000;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
  char fraction[8];
  std::snprintf(fraction, sizeof(fraction), ".%03dZ", std::clamp(millis, 0, 999));
  return std::string(text) + fraction;
}

}  // namespace riffle::app
