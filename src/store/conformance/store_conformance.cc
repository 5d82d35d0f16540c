#include "store/conformance/store_conformance.h"

#include <atomic>
#include <chrono>
#include <future>

namespace riffle::store::conformance {
namespace {

std::atomic<uint64_t> next_id{0};

uint64_t UniqueId() {
  // Distinct across runs against the same servers, and within a run.
  static const uint64_t base =
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch() / std::chrono::milliseconds(1)) %
      1000000000 * 1000;
  return base + ++next_id;
}

}  // namespace

void StoreConformanceTest::SetUp() {
  StoreBackend* backend = GetParam().backend();
  ASSERT_NE(backend, nullptr);
  multi_node_ = backend->multi_node();
  a_owned_ = backend->OpenNode(0);
  ASSERT_NE(a_owned_, nullptr);
  a_ = a_owned_.get();
  if (multi_node_) {
    b_owned_ = backend->OpenNode(1);
    ASSERT_NE(b_owned_, nullptr);
    b_ = b_owned_.get();
  } else {
    b_ = a_;
  }
  a_->SetMetaObserver([this](const MetaChange& c) { a_meta_.Add(c); });
  a_->SetAppendObserver([this](ShardKey s) { a_appends_.Add(s); });
  if (multi_node_) {
    b_->SetMetaObserver([this](const MetaChange& c) { b_meta_.Add(c); });
    b_->SetAppendObserver([this](ShardKey s) { b_appends_.Add(s); });
  }
}

void StoreConformanceTest::TearDown() {
  if (b_owned_) b_owned_->Close();
  if (a_owned_) a_owned_->Close();
  b_owned_.reset();
  a_owned_.reset();
}

ShardKey StoreConformanceTest::NewShard() {
  uint64_t id = UniqueId();
  return ShardKey{id, static_cast<uint32_t>(id % 7)};
}

std::string StoreConformanceTest::NewKeyPrefix() { return "t" + std::to_string(UniqueId()) + "/"; }

int64_t StoreConformanceTest::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StatusOr<uint64_t> StoreConformanceTest::Write(Store& s, MetaWrite w) {
  std::promise<StatusOr<uint64_t>> p;
  s.WriteMeta(std::move(w), [&p](StatusOr<uint64_t> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

StatusOr<uint64_t> StoreConformanceTest::Put(Store& s, const std::string& key, const std::string& value,
                                             uint64_t expected, bool ephemeral) {
  return Write(s, MetaWrite{key, value, expected, ephemeral});
}

StatusOr<uint64_t> StoreConformanceTest::Delete(Store& s, const std::string& key, uint64_t expected) {
  return Write(s, MetaWrite{key, std::nullopt, expected, false});
}

std::vector<AppendResult> StoreConformanceTest::AppendAll(Store& s, std::vector<AppendBatch> batches) {
  std::promise<std::vector<AppendResult>> p;
  s.Append(std::move(batches), [&p](std::vector<AppendResult> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

AppendResult StoreConformanceTest::AppendOne(Store& s, ShardKey shard, std::vector<AppendEntry> entries,
                                             int64_t arrival_ms) {
  std::vector<AppendBatch> batches(1);
  batches[0].shard = shard;
  batches[0].arrival_ms = arrival_ms;
  batches[0].entries = std::move(entries);
  return AppendAll(s, std::move(batches))[0];
}

StatusOr<LogRead> StoreConformanceTest::ReadSync(Store& s, ShardKey shard, uint64_t from, ReadLimits limits) {
  std::promise<StatusOr<LogRead>> p;
  s.Read(shard, from, limits, [&p](StatusOr<LogRead> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

std::vector<std::pair<uint64_t, std::string>> StoreConformanceTest::ReadAll(Store& s, ShardKey shard,
                                                                            uint64_t from, ReadLimits limits) {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (int calls = 0; calls < 100000; ++calls) {
    auto r = ReadSync(s, shard, from, limits);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) break;
    for (const Record& rec : r->records) out.emplace_back(rec.counter, std::string(rec.data));
    EXPECT_GE(r->next, from);
    from = r->next;
    if (r->at_end) break;
  }
  return out;
}

StatusOr<LogBounds> StoreConformanceTest::BoundsSync(Store& s, ShardKey shard) {
  std::promise<StatusOr<LogBounds>> p;
  s.Bounds(shard, [&p](StatusOr<LogBounds> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

StatusOr<uint64_t> StoreConformanceTest::FindSync(Store& s, ShardKey shard, int64_t ms) {
  std::promise<StatusOr<uint64_t>> p;
  s.FindByArrival(shard, ms, [&p](StatusOr<uint64_t> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

}  // namespace riffle::store::conformance
