// NatsCluster: real nats-server processes for tests — one server, or a
// cluster of N on loopback (each with -js, its own store dir, a server name,
// a client port, a route port and routes to the others, a monitoring port).
// Start() waits until every server answers /healthz and JetStream has a
// meta leader. Kill() sends SIGKILL; Restart() starts a killed server again
// with the same ports and store dir (it rejoins and catches up).
//
// Test-only. Not thread-safe. The destructor kills every server and removes
// the working directory; servers also die with the process that started them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace riffle::store::jetstream::testing {

class NatsCluster {
 public:
  struct Options {
    int servers = 1;            // 1, or a cluster of 3 (or more)
    int64_t max_payload = 0;    // bytes; 0 = the server's default (1 MiB)
    std::string binary = "nats-server";
  };

  static StatusOr<std::unique_ptr<NatsCluster>> Start(const Options& options);
  ~NatsCluster();

  int size() const { return static_cast<int>(servers_.size()); }
  std::string url(int i) const;            // nats://127.0.0.1:<client port>
  std::vector<std::string> urls() const;   // every server's
  std::string name(int i) const { return "n" + std::to_string(i); }
  bool running(int i) const { return servers_[static_cast<size_t>(i)].pid > 0; }

  void Kill(int i);          // SIGKILL, then reaps it
  Status Restart(int i);     // starts it again and waits until it is healthy
  // Waits until the running servers answer /healthz and JetStream answers
  // through one of them (a meta leader exists).
  Status WaitReady(int64_t timeout_ms);
  // The index of the server leading `stream`, from JetStream's stream info.
  StatusOr<int> LeaderOf(const std::string& stream);

 private:
  struct Server {
    int client_port = 0;
    int route_port = 0;
    int monitor_port = 0;
    std::string dir;
    pid_t pid = -1;
  };
  NatsCluster() = default;
  Status Launch(int i);
  bool Healthy(int i) const;

  Options options_;
  std::string root_;
  std::vector<Server> servers_;
};

}  // namespace riffle::store::jetstream::testing
