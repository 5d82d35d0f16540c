// Test support for store tests (only *_test.cc files include it): a
// temporary directory, and synchronous forms of the Store's callback calls.
// Each waits at most 30 s for its callback.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace riffle::store::testing {

// A fresh directory under the system's temp dir, removed with everything in
// it when destroyed.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "riffle-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

template <typename T, typename Call>
T Await(Call&& call) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  call([promise](T value) { promise->set_value(std::move(value)); });
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) std::abort();  // a lost callback
  return future.get();
}

// `count` entries ("pk<i>", "data<i>" with i from `first_label`).
inline AppendBatch MakeBatch(ShardKey shard, int count, int64_t arrival_ms, int first_label = 0) {
  AppendBatch batch;
  batch.shard = shard;
  batch.arrival_ms = arrival_ms;
  for (int i = first_label; i < first_label + count; ++i) {
    batch.entries.push_back({"pk" + std::to_string(i), "data" + std::to_string(i)});
  }
  return batch;
}

inline AppendResult AppendOne(Store& store, AppendBatch batch) {
  std::vector<AppendBatch> batches;
  batches.push_back(std::move(batch));
  auto results = Await<std::vector<AppendResult>>([&](auto done) { store.Append(std::move(batches), done); });
  return std::move(results.at(0));
}

inline StatusOr<LogRead> ReadSync(Store& store, ShardKey shard, uint64_t from, ReadLimits limits = {}) {
  return Await<StatusOr<LogRead>>([&](auto done) { store.Read(shard, from, limits, done); });
}

inline StatusOr<LogBounds> BoundsSync(Store& store, ShardKey shard) {
  return Await<StatusOr<LogBounds>>([&](auto done) { store.Bounds(shard, done); });
}

inline StatusOr<uint64_t> FindByArrivalSync(Store& store, ShardKey shard, int64_t ms) {
  return Await<StatusOr<uint64_t>>([&](auto done) { store.FindByArrival(shard, ms, done); });
}

inline StatusOr<uint64_t> WriteMetaSync(Store& store, MetaWrite write) {
  return Await<StatusOr<uint64_t>>([&](auto done) { store.WriteMeta(std::move(write), done); });
}

// Counters of every readable record of the shard from `from`.
inline std::vector<uint64_t> CountersFrom(Store& store, ShardKey shard, uint64_t from = 0) {
  std::vector<uint64_t> out;
  for (;;) {
    auto read = ReadSync(store, shard, from);
    if (!read.ok()) return out;
    for (const Record& r : read->records) out.push_back(r.counter);
    if (read->at_end) return out;
    from = read->next;
  }
}

}  // namespace riffle::store::testing
