// Nodes of a cluster starting at the same moment, through real nats-server
// processes: each store object binds the metadata buckets, and the first
// to find them missing creates them. Every one must open, whoever wins.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/jetstream/jetstream_store.h"
#include "store/jetstream/testing/nats_cluster.h"

namespace riffle::store::jetstream {
namespace {

using testing::NatsCluster;

// Opens kNodes stores at once (spread over the servers) under fresh prefixes,
// `rounds` times; each must open and read what another wrote.
void OpenAtOnce(int servers, int rounds) {
  auto cluster = NatsCluster::Start({.servers = servers});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  NatsCluster& c = **cluster;
  constexpr int kNodes = 6;
  for (int round = 0; round < rounds; ++round) {
    // A fresh prefix per round: its buckets do not exist yet.
    const std::string prefix = "race-" + std::to_string(round);
    SCOPED_TRACE(prefix);
    std::vector<StatusOr<std::unique_ptr<Store>>> opened;
    for (int node = 0; node < kNodes; ++node) opened.emplace_back(Status(Errc::kUnavailable, "not opened"));
    std::vector<std::thread> threads;
    for (int node = 0; node < kNodes; ++node) {
      threads.emplace_back([&, node] {
        JetStreamOptions options;
        options.urls = {c.url(node % c.size())};
        options.replicas = servers == 1 ? 1 : 3;
        options.prefix = prefix;
        options.node_name = prefix + "-" + std::to_string(node);
        opened[node] = Open(options);
      });
    }
    for (auto& t : threads) t.join();
    for (int node = 0; node < kNodes; ++node) {
      ASSERT_TRUE(opened[node].ok()) << "node " << node << ": " << opened[node].status().message();
    }
    // They share one metadata bucket: what one writes, every other reads.
    std::promise<StatusOr<uint64_t>> written;
    (*opened[0])->WriteMeta({.key = "k", .value = "v"}, [&](StatusOr<uint64_t> r) { written.set_value(r); });
    ASSERT_TRUE(written.get_future().get().ok());
    for (int node = 1; node < kNodes; ++node) {
      auto entry = (*opened[node])->GetMeta("k");
      ASSERT_TRUE(entry.ok()) << entry.status().message();
      ASSERT_TRUE(entry->has_value()) << "node " << node;
      EXPECT_EQ((*entry)->value, "v");
    }
    for (auto& store : opened) (*store)->Close();
  }
}

TEST(JetStreamOpenTest, NodesOpeningAtOnceOnOneServerAllOpen) { OpenAtOnce(1, 10); }

TEST(JetStreamOpenTest, NodesOpeningAtOnceOnAClusterAllOpen) { OpenAtOnce(3, 3); }

}  // namespace
}  // namespace riffle::store::jetstream
