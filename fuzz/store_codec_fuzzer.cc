// Values read back from the store (docs/storage-format.md): record batches
// (store/codec/batch_codec.h) and stream and consumer metadata
// (core/stream_codec.h). A corrupt value is reported, never trusted.
//
// First byte: 0 -> record batch with the input as body and a correct CRC32C
// appended (so the parser behind the checksum is reached), 1 -> record batch
// as is, 2 -> stream state, 3 -> consumer state, 4 -> u64.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/stream_codec.h"
#include "store/codec/batch_codec.h"
#include "store/codec/checksum.h"

namespace {

using namespace riffle;

void ReadBatch(std::string_view value) {
  store::codec::BatchReader reader;
  if (!reader.Init(value).ok()) return;
  std::string_view key, data;
  uint32_t read = 0;
  while (reader.Next(&key, &data)) {
    if (key.data() < value.data() || data.data() + data.size() > value.data() + value.size()) std::abort();
    ++read;
  }
  if (reader.status().ok() && read != reader.record_count()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      std::string value(rest);
      uint32_t crc = store::codec::Crc32c(value);
      for (int i = 3; i >= 0; --i) value.push_back(static_cast<char>(crc >> (8 * i)));  // big-endian
      ReadBatch(value);
      break;
    }
    case 1:
      ReadBatch(std::string(rest));
      break;
    case 2:
      if (auto state = core::DecodeStreamState(rest); state.ok()) {
        // A decoded state encodes and decodes to an equal encoding.
        std::string again = core::EncodeStreamState(*state);
        auto second = core::DecodeStreamState(again);
        if (!second.ok() || core::EncodeStreamState(*second) != again) std::abort();
      }
      break;
    case 3:
      if (auto state = core::DecodeConsumerState(rest); state.ok()) {
        std::string again = core::EncodeConsumerState(*state);
        auto second = core::DecodeConsumerState(again);
        if (!second.ok() || core::EncodeConsumerState(*second) != again) std::abort();
      }
      break;
    case 4:
      (void)core::DecodeU64(rest);
      break;
  }
  return 0;
}
