// The store conformance suite (store/conformance/) against the JetStream
// store: one nats-server with replicas 1 (JetStreamR1), and a 3-node
// cluster with replicas 3 whose two store objects talk to different servers
// (JetStreamR3). The servers start once per test program.
#include <cstdlib>
#include <memory>

#include "store/conformance/store_conformance.h"
#include "store/jetstream/jetstream_store.h"
#include "store/jetstream/testing/nats_cluster.h"

namespace riffle::store::jetstream {
namespace {

using conformance::BackendParam;
using conformance::StoreBackend;
using conformance::StoreConformanceTest;
using testing::NatsCluster;

class JetStreamBackend : public StoreBackend {
 public:
  explicit JetStreamBackend(int servers) : servers_(servers) {}

  std::unique_ptr<Store> OpenNode(int node) override {
    if (!cluster_) {
      auto started = NatsCluster::Start({.servers = servers_});
      if (!started.ok()) {
        ADD_FAILURE() << "starting nats-server: " << started.status().message();
        return nullptr;
      }
      cluster_ = std::move(*started);
    }
    JetStreamOptions options;
    options.urls = {cluster_->url(node % cluster_->size())};
    options.replicas = servers_ == 1 ? 1 : 3;
    options.node_name = "conformance-" + std::to_string(node);
    auto store = Open(options);
    if (!store.ok()) {
      ADD_FAILURE() << "opening the JetStream store: " << store.status().message();
      return nullptr;
    }
    return std::move(*store);
  }
  bool multi_node() const override { return servers_ > 1; }

 private:
  int servers_;
  std::unique_ptr<NatsCluster> cluster_;
};

StoreBackend* SingleServer() {
  static auto* backend = new JetStreamBackend(1);
  return backend;
}

StoreBackend* ThreeServers() {
  static auto* backend = new JetStreamBackend(3);
  return backend;
}

// The servers must stop before the program exits: a gtest environment
// deletes the backends (and so kills their nats-server processes).
class StopServers : public ::testing::Environment {
 public:
  void TearDown() override {
    delete SingleServer();
    delete ThreeServers();
  }
};
[[maybe_unused]] auto* const kStopServers = ::testing::AddGlobalTestEnvironment(new StopServers);

INSTANTIATE_TEST_SUITE_P(JetStreamR1, StoreConformanceTest,
                         ::testing::Values(BackendParam{"JetStreamR1", &SingleServer}),
                         conformance::BackendParamName);
INSTANTIATE_TEST_SUITE_P(JetStreamR3, StoreConformanceTest,
                         ::testing::Values(BackendParam{"JetStreamR3", &ThreeServers}),
                         conformance::BackendParamName);

}  // namespace
}  // namespace riffle::store::jetstream
