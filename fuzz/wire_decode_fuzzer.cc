// The generated JSON request decoders and validators (protocol/wire_json.h)
// of every operation input. The first input byte picks the input type, the
// rest is the body. Decoding may fail only with a SerializationException;
// validation only with a ValidationException.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/wire_json.h"

namespace {

using namespace riffle;

void Check(const protocol::ApiError& error, std::string_view expected_type, std::string_view stage) {
  if (error.type != expected_type || error.http_status != 400) {
    std::fprintf(stderr, "%.*s gave %s (%d): %s\n", static_cast<int>(stage.size()), stage.data(),
                 error.type.c_str(), error.http_status, error.message.c_str());
    std::abort();
  }
}

template <typename Input>
void DecodeAndValidate(std::string_view body) {
  auto decoded = protocol::DecodeJson<Input>(body);
  if (!decoded.ok()) {
    Check(decoded.error(), "SerializationException", "DecodeJson");
    return;
  }
  if (auto invalid = protocol::Validate(decoded.value())) Check(*invalid, "ValidationException", "Validate");
}

using Decoder = void (*)(std::string_view);

#define RIFFLE_WIRE_INPUT(name) &DecodeAndValidate<wire::name##Input>,
constexpr Decoder kDecoders[] = {
    &DecodeAndValidate<wire::Empty>,
    RIFFLE_WIRE_INPUT(AddTagsToStream) RIFFLE_WIRE_INPUT(CreateStream)
    RIFFLE_WIRE_INPUT(DecreaseStreamRetentionPeriod) RIFFLE_WIRE_INPUT(DeleteResourcePolicy)
    RIFFLE_WIRE_INPUT(DeleteStream) RIFFLE_WIRE_INPUT(DeregisterStreamConsumer)
    RIFFLE_WIRE_INPUT(DescribeAccountSettings) RIFFLE_WIRE_INPUT(DescribeLimits)
    RIFFLE_WIRE_INPUT(DescribeStreamConsumer) RIFFLE_WIRE_INPUT(DescribeStream)
    RIFFLE_WIRE_INPUT(DescribeStreamSummary) RIFFLE_WIRE_INPUT(DisableEnhancedMonitoring)
    RIFFLE_WIRE_INPUT(EnableEnhancedMonitoring) RIFFLE_WIRE_INPUT(GetRecords)
    RIFFLE_WIRE_INPUT(GetResourcePolicy) RIFFLE_WIRE_INPUT(GetShardIterator)
    RIFFLE_WIRE_INPUT(IncreaseStreamRetentionPeriod) RIFFLE_WIRE_INPUT(ListShards)
    RIFFLE_WIRE_INPUT(ListStreamConsumers) RIFFLE_WIRE_INPUT(ListStreams)
    RIFFLE_WIRE_INPUT(ListTagsForResource) RIFFLE_WIRE_INPUT(ListTagsForStream)
    RIFFLE_WIRE_INPUT(MergeShards) RIFFLE_WIRE_INPUT(PutRecord) RIFFLE_WIRE_INPUT(PutRecords)
    RIFFLE_WIRE_INPUT(PutResourcePolicy) RIFFLE_WIRE_INPUT(RegisterStreamConsumer)
    RIFFLE_WIRE_INPUT(RemoveTagsFromStream) RIFFLE_WIRE_INPUT(SplitShard)
    RIFFLE_WIRE_INPUT(StartStreamEncryption) RIFFLE_WIRE_INPUT(StopStreamEncryption)
    RIFFLE_WIRE_INPUT(SubscribeToShard) RIFFLE_WIRE_INPUT(TagResource) RIFFLE_WIRE_INPUT(UntagResource)
    RIFFLE_WIRE_INPUT(UpdateAccountSettings) RIFFLE_WIRE_INPUT(UpdateMaxRecordSize)
    RIFFLE_WIRE_INPUT(UpdateShardCount) RIFFLE_WIRE_INPUT(UpdateStreamMode)
    RIFFLE_WIRE_INPUT(UpdateStreamWarmThroughput)
};
#undef RIFFLE_WIRE_INPUT

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr size_t n = sizeof(kDecoders) / sizeof(kDecoders[0]);
  kDecoders[data[0] % n](std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
