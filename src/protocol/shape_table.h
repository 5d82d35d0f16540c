// The model's shapes as constant tables, for codecs that walk a body by
// shape instead of through the generated wire structs (the CBOR transcoder,
// protocol/cbor_transcode.h). The tables themselves are GENERATED from
// model/kinesis-2013-12-02.json by tools/gen_wire.py (wire_shapes.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace riffle::protocol {

enum class ShapeKind : uint8_t {
  kString,
  kInteger,
  kLong,
  kBoolean,
  kTimestamp,
  kBlob,
  kList,
  kMap,  // string keys
  kStructure,
};

struct Shape;

struct ShapeMember {
  std::string_view name;  // as in the model and on the wire
  const Shape* shape;
};

struct Shape {
  ShapeKind kind;
  const Shape* element;         // kList: the member; kMap: the value
  const ShapeMember* members;   // kStructure: members in model order
  size_t member_count;

  // The shape of structure member `name`, or nullptr (unknown member, or
  // not a structure). Event-stream members are not in the tables.
  const Shape* Member(std::string_view name) const {
    for (size_t i = 0; i < member_count; ++i) {
      if (members[i].name == name) return members[i].shape;
    }
    return nullptr;
  }
};

struct OperationShapes {
  const Shape* input;   // an empty structure when the model has none
  const Shape* output;  // likewise
};

// The input and output shapes of a model operation ("PutRecords"), or
// {nullptr, nullptr} for a name that is not one.
OperationShapes FindOperationShapes(std::string_view operation);

// The payload shape of an event-stream event type ("SubscribeToShardEvent"),
// or nullptr for a name that is not a modelled event (e.g.
// "initial-response"; exceptions are not events).
const Shape* FindEventShape(std::string_view event_type);

}  // namespace riffle::protocol
