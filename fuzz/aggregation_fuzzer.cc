// The KPL aggregated record format (riffle/kinesis/aggregation.h), which a
// consumer reads from streams anyone may write: any protobuf message, wrapped
// with the magic and its MD5, is either refused or decodes to user records
// that RecordAggregator encodes back to bytes that decode to the same
// records. The lenient Deaggregate never fails on the raw input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "client/hash_key.h"
#include "riffle/kinesis/aggregation.h"

namespace {

using namespace riffle::kinesis;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "aggregation_fuzzer: %s\n", what);
    std::abort();
  }
}

}  // namespace

// Input: the protobuf AggregatedRecord message (the harness adds magic and MD5).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  std::string record = std::string(kAggregatedMagic) + std::string(message) + internal::Md5(message);
  auto decoded = DecodeAggregated(record);
  // The message itself may be a whole aggregated record (magic, message,
  // MD5: a fuzzer once built one with no user records); only a record
  // without the magic is certain to read as one plain record.
  if (!message.starts_with(kAggregatedMagic)) {
    Require(Deaggregate(message, "pk").size() == 1, "a record without the magic is one plain record");
  }
  if (!decoded.ok()) {
    Require(Deaggregate(record, "pk").size() == 1, "a refused aggregate reads as one plain record");
    return 0;
  }
  Require(IsAggregated(record), "decoded but not IsAggregated");
  if (decoded->empty()) return 0;
  RecordAggregator again;
  for (const DeaggregatedRecord& r : *decoded) {
    UserRecord u{r.partition_key, r.data, r.explicit_hash_key};
    const size_t predicted = again.SizeWith(u);
    again.Add(u);
    Require(again.size() == predicted, "SizeWith disagrees with size");
  }
  std::string encoded = again.Serialize();
  Require(encoded.size() == again.size(), "size disagrees with Serialize");
  auto round = DecodeAggregated(encoded);
  Require(round.ok(), "re-encoded records do not decode");
  Require(round->size() == decoded->size(), "record count changed");
  for (size_t i = 0; i < round->size(); ++i) {
    const auto& a = (*round)[i];
    const auto& b = (*decoded)[i];
    Require(a.partition_key == b.partition_key && a.explicit_hash_key == b.explicit_hash_key && a.data == b.data &&
                a.sub_sequence_number == i,
            "a record changed in the round trip");
  }
  return 0;
}
