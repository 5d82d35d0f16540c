// The store conformance suite (store/conformance/) against the memory store
// (`riffle serve --in-memory`); one process, so one node (b is a).
#include <memory>

#include "store/conformance/store_conformance.h"
#include "store/memory/memory_store.h"

namespace riffle::store::memory {
namespace {

using conformance::BackendParam;
using conformance::StoreBackend;
using conformance::StoreConformanceTest;

class MemoryBackend : public StoreBackend {
 public:
  std::unique_ptr<Store> OpenNode(int) override { return Open(); }
  bool multi_node() const override { return false; }
};

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformanceTest,
                         ::testing::Values(BackendParam{"Memory", [] {
                           static MemoryBackend backend;
                           return static_cast<StoreBackend*>(&backend);
                         }}),
                         conformance::BackendParamName);

}  // namespace
}  // namespace riffle::store::memory
