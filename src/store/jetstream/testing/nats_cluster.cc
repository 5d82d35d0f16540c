#include "store/jetstream/testing/nats_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <nats/nats.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace riffle::store::jetstream::testing {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The lowest port of the kernel's ephemeral range (ports it hands out for
// outgoing connections and bind(0)); 32768 when it cannot be read.
int EphemeralLow() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (!(range >> low) || low <= 1024) return 32768;
  return low;
}

// True when nothing listens on or is bound to 127.0.0.1:port now.
bool PortFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return free;
}

// A free port below the ephemeral range: a killed server restarted on it
// cannot find it taken by some outgoing connection meanwhile (which a port
// from bind(0) can be). Ports handed out are not handed out again.
int FreePort() {
  static std::mutex mu;
  static std::set<int> given;
  static std::mt19937 random(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(SteadyMs()));
  std::lock_guard<std::mutex> lock(mu);
  const int high = EphemeralLow() - 1, low = high > 12000 ? 10000 : 1025;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = std::uniform_int_distribution<int>(low, high)(random);
    if (given.count(port) == 0 && PortFree(port)) {
      given.insert(port);
      return port;
    }
  }
  return -1;
}

// GET `path` from 127.0.0.1:port; the status line and body, or "" on failure.
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return response;
}

// The last `n` lines of a file, joined by " | ".
std::string LastLines(const std::string& path, size_t n) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > n) lines.pop_front();
  }
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : " | ") + line;
  return out.empty() ? "(no log)" : out;
}

}  // namespace

StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(const Options& options) {
  std::unique_ptr<NatsCluster> c(new NatsCluster());
  c->options_ = options;
  std::string tmpl = (std::filesystem::temp_directory_path() / "riffle-nats-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return Status::StorageError("mkdtemp failed");
  c->root_ = tmpl;
  c->servers_.resize(static_cast<size_t>(options.servers));
  // A port found free can be taken by another program before the server
  // binds it (test programs run side by side): a server that exits while
  // starting is started again on new ports.
  Status started = Status::Ok();
  for (int attempt = 0; attempt < 3; ++attempt) {
    for (int i = 0; i < options.servers; ++i) {
      c->Kill(i);
      Server& s = c->servers_[static_cast<size_t>(i)];
      s.client_port = FreePort();
      s.route_port = FreePort();
      s.monitor_port = FreePort();
      s.dir = c->root_ + "/" + c->name(i) + (attempt > 0 ? "-" + std::to_string(attempt) : "");
      std::filesystem::create_directories(s.dir);
    }
    started = Status::Ok();
    for (int i = 0; i < options.servers && started.ok(); ++i) started = c->Launch(i);
    if (started.ok()) started = c->WaitReady(30000);
    if (started.ok() || started.code() != Errc::kStorageError) break;
  }
  if (!started.ok()) return started;
  return c;
}

NatsCluster::~NatsCluster() {
  for (int i = 0; i < size(); ++i) Kill(i);
  std::error_code ec;
  if (!root_.empty()) std::filesystem::remove_all(root_, ec);
}

std::string NatsCluster::url(int i) const {
  return "nats://127.0.0.1:" + std::to_string(servers_[static_cast<size_t>(i)].client_port);
}

std::vector<std::string> NatsCluster::urls() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(url(i));
  return out;
}

Status NatsCluster::Launch(int i) {
  Server& s = servers_[static_cast<size_t>(i)];
  const std::string config = s.dir + "/server.conf";
  {
    std::ofstream conf(config);
    if (options_.max_payload > 0) conf << "max_payload: " << options_.max_payload << "\n";
  }
  std::vector<std::string> args = {options_.binary, "-c", config, "-a", "127.0.0.1",
                                   "-p", std::to_string(s.client_port), "-m", std::to_string(s.monitor_port),
                                   "-js", "-sd", s.dir + "/js", "--server_name", name(i)};
  if (size() > 1) {
    std::string routes;
    for (int j = 0; j < size(); ++j) {
      if (j == i) continue;
      if (!routes.empty()) routes += ",";
      routes += "nats://127.0.0.1:" + std::to_string(servers_[static_cast<size_t>(j)].route_port);
    }
    args.insert(args.end(), {"--cluster_name", "riffle-test", "--cluster",
                             "nats://127.0.0.1:" + std::to_string(s.route_port), "--routes", routes});
  }
  const std::string log = s.dir + "/server.log";
  pid_t pid = fork();
  if (pid < 0) return Status::StorageError("fork failed");
  if (pid == 0) {
    // A test that crashes takes its servers with it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  s.pid = pid;
  return Status::Ok();
}

void NatsCluster::Kill(int i) {
  Server& s = servers_[static_cast<size_t>(i)];
  if (s.pid <= 0) return;
  kill(s.pid, SIGKILL);
  waitpid(s.pid, nullptr, 0);
  s.pid = -1;
}

Status NatsCluster::Restart(int i) {
  if (running(i)) return Status::Ok();
  RIFFLE_RETURN_IF_ERROR(Launch(i));
  return WaitReady(30000);
}

bool NatsCluster::Healthy(int i) const {
  const std::string r = HttpGet(servers_[static_cast<size_t>(i)].monitor_port, "/healthz");
  return r.rfind("HTTP/1.1 200", 0) == 0 || r.rfind("HTTP/1.0 200", 0) == 0;
}

Status NatsCluster::WaitReady(int64_t timeout_ms) {
  const int64_t deadline = SteadyMs() + timeout_ms;
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    while (!Healthy(i)) {
      int status = 0;
      if (waitpid(servers_[static_cast<size_t>(i)].pid, &status, WNOHANG) > 0) {
        servers_[static_cast<size_t>(i)].pid = -1;
        return Status::StorageError("nats-server " + name(i) + " exited: " +
                                    LastLines(servers_[static_cast<size_t>(i)].dir + "/server.log", 3));
      }
      if (SteadyMs() > deadline) return Status::Unavailable("nats-server " + name(i) + " not healthy");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  // A meta leader: JetStream account info answers through a running server.
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    natsConnection* nc = nullptr;
    jsCtx* js = nullptr;
    bool ok = false;
    if (natsConnection_ConnectTo(&nc, url(i).c_str()) == NATS_OK &&
        natsConnection_JetStream(&js, nc, nullptr) == NATS_OK) {
      while (!ok && SteadyMs() < deadline) {
        jsAccountInfo* info = nullptr;
        ok = js_GetAccountInfo(&info, js, nullptr, nullptr) == NATS_OK;
        jsAccountInfo_Destroy(info);
        if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return ok ? Status::Ok() : Status::Unavailable("JetStream has no meta leader");
  }
  return Status::Unavailable("no nats-server is running");
}

StatusOr<int> NatsCluster::LeaderOf(const std::string& stream) {
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    natsConnection* nc = nullptr;
    if (natsConnection_ConnectTo(&nc, url(i).c_str()) != NATS_OK) continue;
    jsCtx* js = nullptr;
    jsStreamInfo* si = nullptr;
    int leader = -1;
    if (natsConnection_JetStream(&js, nc, nullptr) == NATS_OK &&
        js_GetStreamInfo(&si, js, stream.c_str(), nullptr, nullptr) == NATS_OK && si->Cluster != nullptr &&
        si->Cluster->Leader != nullptr) {
      for (int j = 0; j < size(); ++j) {
        if (name(j) == si->Cluster->Leader) leader = j;
      }
    }
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    if (leader >= 0) return leader;
  }
  return Status::Unavailable("no leader known for " + stream);
}

}  // namespace riffle::store::jetstream::testing
