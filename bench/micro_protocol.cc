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

// The table-driven scalar codec (one lookup per character), which the
// protocol used before its vector kernels.
constexpr char kScalarAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::array<uint8_t, 256> ScalarDecodeTable() {
  std::array<uint8_t, 256> table{};
  table.fill(0xff);
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(kScalarAlphabet[i])] = static_cast<uint8_t>(i);
  return table;
}

// Padding-free input only (the benchmark's sizes are multiples of 3).
std::optional<std::string> ScalarBase64Decode(std::string_view text) {
  static const std::array<uint8_t, 256> kTable = ScalarDecodeTable();
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  const auto* src = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t i = 0; i < text.size(); i += 4) {
    uint8_t a = kTable[src[i]], b = kTable[src[i + 1]], c = kTable[src[i + 2]], d = kTable[src[i + 3]];
    if ((a | b | c | d) & 0x80) return std::nullopt;
    uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    *dst++ = static_cast<uint8_t>(v >> 16);
    *dst++ = static_cast<uint8_t>(v >> 8);
    *dst++ = static_cast<uint8_t>(v);
  }
  return out;
}

// Input length a multiple of 3 only.
std::string ScalarBase64Encode(std::string_view bytes) {
  std::string out(bytes.size() / 3 * 4, '\0');
  char* dst = out.data();
  const auto* src = reinterpret_cast<const uint8_t*>(bytes.data());
  for (size_t i = 0; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8) | src[i + 2];
    *dst++ = kScalarAlphabet[(v >> 18) & 63];
    *dst++ = kScalarAlphabet[(v >> 12) & 63];
    *dst++ = kScalarAlphabet[(v >> 6) & 63];
    *dst++ = kScalarAlphabet[v & 63];
  }
  return out;
}

void BM_Base64Decode_Protocol(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::string text = protocol::Base64Encode(RandomBytes(n, 1));
  for (auto _ : state) {
    auto out = protocol::Base64Decode(text);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_Base64Decode_Protocol)->Arg(1023)->Arg(65535);

void BM_Base64Decode_Scalar(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::string text = protocol::Base64Encode(RandomBytes(n, 1));
  if (ScalarBase64Decode(text) != protocol::Base64Decode(text)) {
    state.SkipWithError("scalar decoder disagrees with protocol::Base64Decode");
    return;
  }
  for (auto _ : state) {
    auto out = ScalarBase64Decode(text);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_Base64Decode_Scalar)->Arg(1023)->Arg(65535);

void BM_Base64Encode_Protocol(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::string bytes = RandomBytes(n, 1);
  for (auto _ : state) {
    std::string out = protocol::Base64Encode(bytes);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_Base64Encode_Protocol)->Arg(1023)->Arg(65535);

void BM_Base64Encode_Scalar(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::string bytes = RandomBytes(n, 1);
  if (ScalarBase64Encode(bytes) != protocol::Base64Encode(bytes)) {
    state.SkipWithError("scalar encoder disagrees with protocol::Base64Encode");
    return;
  }
  for (auto _ : state) {
    std::string out = ScalarBase64Encode(bytes);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_Base64Encode_Scalar)->Arg(1023)->Arg(65535);

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
