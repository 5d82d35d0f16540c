// Microbenchmarks of the protocol layer's hot paths: base64 decoding of a
// record payload, decoding a PutRecords body, encoding a GetRecords response.
#include <benchmark/benchmark.h>

#include <array>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "protocol/base64.h"
#include "protocol/json_writer.h"
#include "protocol/wire_json.h"
#include "protocol/wire_types.h"

namespace {

using namespace riffle;

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

// The obvious decoder: one table lookup per character via string::find.
std::optional<std::string> NaiveBase64Decode(std::string_view text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

void BM_Base64Decode_Protocol_1KiB(benchmark::State& state) {
  std::string text = protocol::Base64Encode(RandomBytes(1024, 1));
  for (auto _ : state) {
    auto out = protocol::Base64Decode(text);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_Base64Decode_Protocol_1KiB);

void BM_Base64Decode_Naive_1KiB(benchmark::State& state) {
  std::string text = protocol::Base64Encode(RandomBytes(1024, 1));
  if (NaiveBase64Decode(text) != protocol::Base64Decode(text)) {
    state.SkipWithError("naive decoder disagrees with protocol::Base64Decode");
    return;
  }
  for (auto _ : state) {
    auto out = NaiveBase64Decode(text);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_Base64Decode_Naive_1KiB);

std::string PutRecordsBody(int records, size_t record_size) {
  protocol::JsonWriter w;
  w.BeginObject();
  w.Key("StreamName");
  w.String("bench");
  w.Key("Records");
  w.BeginArray();
  for (int i = 0; i < records; ++i) {
    w.BeginObject();
    w.Key("Data");
    w.Blob(RandomBytes(record_size, i));
    w.Key("PartitionKey");
    w.String("partition-key-" + std::to_string(i));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

// Decode (parse + base64) of a PutRecords body of range(0) records of 1 KiB.
void BM_DecodePutRecords(benchmark::State& state) {
  std::string body = PutRecordsBody(static_cast<int>(state.range(0)), 1024);
  for (auto _ : state) {
    auto input = protocol::DecodeJson<wire::ops::PutRecords::Input>(body);
    if (!input.ok()) {
      state.SkipWithError("decode failed");
      return;
    }
    benchmark::DoNotOptimize(input);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodePutRecords)->Arg(1)->Arg(500);

// Encode of a GetRecords response of range(0) records of 1 KiB.
void BM_EncodeGetRecords(benchmark::State& state) {
  wire::GetRecordsOutput output;
  output.Records.emplace();
  for (int64_t i = 0; i < state.range(0); ++i) {
    wire::Record r;
    r.SequenceNumber = "49546986683135544286507457936321625675700192471156785154";
    r.ApproximateArrivalTimestamp = 1700000000.123;
    r.Data = RandomBytes(1024, i);
    r.PartitionKey = "partition-key-" + std::to_string(i);
    output.Records->push_back(std::move(r));
  }
  output.NextShardIterator = std::string(200, 'A');
  output.MillisBehindLatest = 0;
  size_t size = 0;
  for (auto _ : state) {
    std::string body = protocol::EncodeJson(output);
    size = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeGetRecords)->Arg(1)->Arg(1000);

}  // namespace
