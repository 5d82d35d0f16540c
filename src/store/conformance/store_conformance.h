// The store conformance suite: GoogleTest cases written once against
// store::Store (store/store.h), run against every implementation. A backend
// instantiates it with a StoreBackend:
//
//   INSTANTIATE_TEST_SUITE_P(MyStore, StoreConformanceTest,
//                            ::testing::Values(BackendParam{"MyStore", &MyBackend}),
//                            BackendParamName);
//
// Each test opens its store objects ("nodes") in SetUp and closes them in
// TearDown; tests use keys and shards of their own, so a backend may keep
// one store (servers) for every test. With a multi-node backend, node b is
// a second store object on the same shared store; otherwise b is a.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace riffle::store::conformance {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // A new store object. Multi-node backends return a new node of the same
  // store on every call (`node` may pick the server it talks to).
  virtual std::unique_ptr<Store> OpenNode(int node) = 0;
  virtual bool multi_node() const = 0;
};

struct BackendParam {
  std::string name;
  std::function<StoreBackend*()> backend;  // lives as long as the test program
};

inline std::string BackendParamName(const ::testing::TestParamInfo<BackendParam>& info) { return info.param.name; }

// Thread-safe record of what an observer was told.
template <typename T>
class Recorder {
 public:
  void Add(const T& v) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(v);
    cv_.notify_all();
  }
  std::vector<T> Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  // Waits (up to `wait`) until `pred` holds for what was seen.
  bool WaitFor(const std::function<bool(const std::vector<T>&)>& pred,
               std::chrono::milliseconds wait = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, wait, [&] { return pred(seen_); });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> seen_;
};

class StoreConformanceTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  bool multi_node() const { return multi_node_; }
  // A shard no other test uses; `first_counter` for CreateLog.
  ShardKey NewShard();
  // A key prefix no other test uses.
  std::string NewKeyPrefix();

  // Blocking wrappers of the callback methods.
  static StatusOr<uint64_t> Write(Store& s, MetaWrite w);
  static StatusOr<uint64_t> Put(Store& s, const std::string& key, const std::string& value,
                                uint64_t expected = kAnyRevision, bool ephemeral = false);
  static StatusOr<uint64_t> Delete(Store& s, const std::string& key, uint64_t expected = kAnyRevision);
  static std::vector<AppendResult> AppendAll(Store& s, std::vector<AppendBatch> batches);
  static AppendResult AppendOne(Store& s, ShardKey shard, std::vector<AppendEntry> entries, int64_t arrival_ms);
  static StatusOr<LogRead> ReadSync(Store& s, ShardKey shard, uint64_t from, ReadLimits limits = {});
  // Every record from `from` to the end, read with `limits` per call.
  static std::vector<std::pair<uint64_t, std::string>> ReadAll(Store& s, ShardKey shard, uint64_t from,
                                                               ReadLimits limits = {});
  static StatusOr<LogBounds> BoundsSync(Store& s, ShardKey shard);
  static StatusOr<uint64_t> FindSync(Store& s, ShardKey shard, int64_t ms);
  static int64_t NowMs();

  std::unique_ptr<Store> a_owned_, b_owned_;
  Store* a_ = nullptr;
  Store* b_ = nullptr;
  Recorder<MetaChange> a_meta_, b_meta_;
  Recorder<ShardKey> a_appends_, b_appends_;

 private:
  bool multi_node_ = false;
};

}  // namespace riffle::store::conformance
