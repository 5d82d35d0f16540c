// Microbenchmarks of the core layer's per-record work: MD5 routing of a
// partition key and formatting a sequence number.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/hash_key.h"
#include "core/sequence_number.h"

namespace {

using namespace riffle;

void BM_HashKeyFromPartitionKey(benchmark::State& state) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1024; ++i) keys.push_back("customer-" + std::to_string(i * 7919));
  size_t i = 0;
  for (auto _ : state) {
    core::HashKey key = core::HashKey::FromPartitionKey(keys[i++ & 1023]);
    benchmark::DoNotOptimize(key);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashKeyFromPartitionKey);

void BM_SequenceNumberToString(benchmark::State& state) {
  core::SequenceNumber n;
  n.incarnation = 12345;
  n.shard_index = 3;
  n.counter = 1000000;
  n.seconds = 1700000000;
  for (auto _ : state) {
    std::string text = n.ToString();
    benchmark::DoNotOptimize(text);
    ++n.counter;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SequenceNumberToString);

// The same consecutive numbers through SequenceNumberFormatter (what
// PutRecords and GetRecords use for the records of one shard batch).
void BM_SequenceNumberFormatterConsecutive(benchmark::State& state) {
  core::SequenceNumber n;
  n.incarnation = 12345;
  n.shard_index = 3;
  n.counter = 1000000;
  n.seconds = 1700000000;
  core::SequenceNumberFormatter formatter;
  for (auto _ : state) {
    std::string text = formatter.Format(n);
    benchmark::DoNotOptimize(text);
    ++n.counter;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SequenceNumberFormatterConsecutive);

void BM_SequenceNumberParse(benchmark::State& state) {
  core::SequenceNumber n;
  n.incarnation = 12345;
  n.shard_index = 3;
  n.counter = 1000000;
  n.seconds = 1700000000;
  std::string text = n.ToString();
  for (auto _ : state) {
    auto parsed = core::SequenceNumber::Parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SequenceNumberParse);

}  // namespace
