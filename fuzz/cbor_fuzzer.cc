// The CBOR protocol (protocol/cbor_transcode.h): a request body of any
// operation, transcoded to the JSON its handler reads. The first input byte
// picks the operation (its input shape), the rest is the body. A body is
// either rejected as a SerializationException or becomes one JSON object;
// then the generated decoder of that operation may only fail with a
// SerializationException, and the answer direction (JSON -> CBOR, walked
// with the operation's output shape) never crashes on it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/cbor_transcode.h"
#include "protocol/json_probe.h"
#include "protocol/wire_json.h"

namespace {

using namespace riffle;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "cbor_fuzzer: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& operations = wire::kModelOperations;
  std::string_view operation = operations[data[0] % operations.size()];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  protocol::OperationShapes shapes = protocol::FindOperationShapes(operation);

  protocol::ApiResult<std::string> json = protocol::CborRequestToJson(body, shapes.input);
  if (!json.ok()) {
    Require(json.error().type == "SerializationException" && json.error().http_status == 400,
            "a rejected body is not a SerializationException");
    return 0;
  }
  Require(protocol::IsJsonObject(json.value()), "the transcoded body is not a JSON object");
  // Without a shape (an unknown operation's body) the transcoding is total too.
  (void)protocol::CborRequestToJson(body, nullptr);
  // The answer direction on what a handler could never write: an error or a
  // CBOR body, never a crash.
  (void)protocol::JsonResponseToCbor(json.value(), shapes.output);
  return 0;
}
