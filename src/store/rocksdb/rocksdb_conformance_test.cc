// The store conformance suite (store/conformance/) against the RocksDB
// store, in memory and on disk; one process, so one node (b is a). Every
// test gets a fresh store.
#include <memory>
#include <mutex>
#include <vector>

#include "store/conformance/store_conformance.h"
#include "store/rocksdb/rocksdb_store.h"
#include "store/store_test_support.h"

namespace riffle::store::rocksdb_store {
namespace {

using conformance::BackendParam;
using conformance::StoreBackend;
using conformance::StoreConformanceTest;

class RocksDbBackend : public StoreBackend {
 public:
  explicit RocksDbBackend(bool in_memory) : in_memory_(in_memory) {}

  std::unique_ptr<Store> OpenNode(int) override {
    Options options;
    options.in_memory = in_memory_;
    if (!in_memory_) {
      std::lock_guard lock(mu_);
      dirs_.push_back(std::make_unique<::riffle::store::testing::TempDir>("riffle-conformance"));
      options.path = dirs_.back()->path();
    }
    auto store = OpenRocksDbStore(options);
    if (!store.ok()) {
      ADD_FAILURE() << "opening the RocksDB store: " << store.status().message();
      return nullptr;
    }
    return std::move(*store);
  }
  bool multi_node() const override { return false; }

 private:
  const bool in_memory_;
  std::mutex mu_;
  std::vector<std::unique_ptr<::riffle::store::testing::TempDir>> dirs_;  // removed at exit
};

INSTANTIATE_TEST_SUITE_P(RocksDbInMemory, StoreConformanceTest,
                         ::testing::Values(BackendParam{"InMemory", [] {
                           static RocksDbBackend backend(true);
                           return static_cast<StoreBackend*>(&backend);
                         }}),
                         conformance::BackendParamName);
INSTANTIATE_TEST_SUITE_P(RocksDbDirectory, StoreConformanceTest,
                         ::testing::Values(BackendParam{"Directory", [] {
                           static RocksDbBackend backend(false);
                           return static_cast<StoreBackend*>(&backend);
                         }}),
                         conformance::BackendParamName);

}  // namespace
}  // namespace riffle::store::rocksdb_store
