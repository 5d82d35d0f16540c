#include "protocol/cbor_transcode.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/cbor_writer.h"

namespace riffle::protocol {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

const Shape* Input(std::string_view op) { return FindOperationShapes(op).input; }
const Shape* Output(std::string_view op) { return FindOperationShapes(op).output; }

std::string ToJson(std::string_view cbor, const Shape* shape) {
  ApiResult<std::string> r = CborRequestToJson(cbor, shape);
  if (!r.ok()) return "ERROR " + r.error().type + ":" + r.error().message;
  return r.value();
}

constexpr const char kSerialization[] = "ERROR SerializationException:";

TEST(ShapeTable, OperationsAndMembers) {
  const Shape* put = Input("PutRecord");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->kind, ShapeKind::kStructure);
  ASSERT_NE(put->Member("Data"), nullptr);
  EXPECT_EQ(put->Member("Data")->kind, ShapeKind::kBlob);
  EXPECT_EQ(put->Member("Nope"), nullptr);
  const Shape* records = Output("GetRecords")->Member("Records");
  ASSERT_EQ(records->kind, ShapeKind::kList);
  EXPECT_EQ(records->element->Member("ApproximateArrivalTimestamp")->kind, ShapeKind::kTimestamp);
  EXPECT_EQ(Input("AddTagsToStream")->Member("Tags")->kind, ShapeKind::kMap);
  EXPECT_EQ(FindOperationShapes("NoSuchOperation").input, nullptr);
  // Operations without an output in the model get an empty structure.
  EXPECT_EQ(Output("DeleteStream")->member_count, 0u);
}

TEST(CborRequest, BlobsBecomeBase64AndTextStaysText) {
  CborWriter w;
  w.BeginMap();
  w.Text("StreamName");
  w.Text("s");
  w.Text("Data");
  w.Bytes(std::string("\x01\x02\x03", 3));
  w.Text("PartitionKey");
  w.Text("p\"k\n");
  w.End();
  EXPECT_EQ(ToJson(w.Take(), Input("PutRecord")),
            R"({"StreamName":"s","Data":"AQID","PartitionKey":"p\"k\n"})");
}

TEST(CborRequest, BytesOutsideBlobMembersAreRejectedAsStructures) {
  CborWriter w;
  w.BeginMap();
  w.Text("StreamName");
  w.Bytes("s");
  w.Text("Other");
  w.Bytes("s");
  w.End();
  EXPECT_EQ(ToJson(w.Take(), Input("PutRecord")), R"({"StreamName":{},"Other":"cw=="})");
}

TEST(CborRequest, TimestampMembersAreEpochMillis) {
  CborWriter w;
  w.BeginMap();
  w.Text("Timestamp");
  w.TimestampMillis(1700000000123);
  w.End();
  std::string body = w.Take();
  EXPECT_EQ(ToJson(body, Input("GetShardIterator")), R"({"Timestamp":1700000000.123})");
  // Untagged, negative and floating-point millis too.
  EXPECT_EQ(ToJson(Unhex("a16954696d657374616d701903e8"), Input("GetShardIterator")), R"({"Timestamp":1.000})");
  EXPECT_EQ(ToJson(Unhex("a16954696d657374616d702a"), Input("GetShardIterator")), R"({"Timestamp":-0.011})");
  EXPECT_EQ(ToJson(Unhex("a16954696d657374616d70f93e00"), Input("GetShardIterator")),
            R"({"Timestamp":0.0015})");
  // Without a shape (unknown operation) numbers are left alone.
  EXPECT_EQ(ToJson(body, nullptr), R"({"Timestamp":1700000000123})");
  // A text timestamp reaches the JSON decoder as text (its type error).
  EXPECT_EQ(ToJson(Unhex("a16954696d657374616d706178"), Input("GetShardIterator")), R"({"Timestamp":"x"})");
}

TEST(CborRequest, EveryMajorType) {
  // {"a": [0, -1, 1000000, -1000, h'ff', "ü", [], {}, true, false, null, undefined, 1.5, 100000.0, 1.1, 6(2)]}
  std::string body = Unhex(
      "a16161" "90" "00" "20" "1a000f4240" "3903e7" "41ff" "62c3bc" "80" "a0" "f5" "f4" "f6" "f7" "f93e00"
      "fa47c35000" "fb3ff199999999999a" "c602");
  EXPECT_EQ(ToJson(body, nullptr),
            R"({"a":[0,-1,1000000,-1000,"/w==","ü",[],{},true,false,null,null,1.5,1e+05,1.1,2]})");
}

TEST(CborRequest, ExtremeIntegers) {
  EXPECT_EQ(ToJson(Unhex("a161611bffffffffffffffff"), nullptr), R"({"a":18446744073709551615})");
  EXPECT_EQ(ToJson(Unhex("a161613b7fffffffffffffff"), nullptr), R"({"a":-9223372036854775808})");
  EXPECT_EQ(ToJson(Unhex("a161613bffffffffffffffff"), nullptr), R"({"a":-1.8446744073709552e+19})");
}

TEST(CborRequest, IndefiniteLengthsAndMaps) {
  // {_ "Tags": {_ "k": "v"}, "StreamName": (_ "st", "r")}
  std::string body = Unhex("bf" "6454616773" "bf616b6176ff" "6a53747265616d4e616d65" "7f62737461" "72ff" "ff");
  EXPECT_EQ(ToJson(body, Input("AddTagsToStream")), R"({"Tags":{"k":"v"},"StreamName":"str"})");
}

TEST(CborRequest, NestedListsOfStructures) {
  CborWriter w;
  w.BeginMap();
  w.Text("Records");
  w.BeginArray();
  w.BeginMap();
  w.Text("Data");
  w.Bytes("");
  w.Text("PartitionKey");
  w.Text("a");
  w.End();
  w.End();
  w.Text("StreamName");
  w.Text("s");
  w.End();
  EXPECT_EQ(ToJson(w.Take(), Input("PutRecords")), R"({"Records":[{"Data":"","PartitionKey":"a"}],"StreamName":"s"})");
}

TEST(CborRequest, MalformedBodiesAreSerializationExceptions) {
  for (const char* hex : {
           "",                    // empty
           "80",                  // top level array
           "6161",                // top level text
           "01",                  // top level integer
           "a1",                  // truncated map
           "a16161",              // key without value
           "a2616101",            // second pair missing
           "a1616101" "00",       // trailing bytes
           "a1016161",            // integer key
           "a1416161",            // byte string key
           "a161616",             // odd
           "a1616162ff",          // text value truncated
           "a16161ff",            // break where a value belongs
           "bf6161",              // unterminated indefinite map
           "a161619f",            // unterminated indefinite array
           "a16161f8ff",          // unassigned simple value (24)
           "a16161f0",            // unassigned simple value (16)
           "a16161fc",            // reserved additional information
           "a16161f97e00",        // NaN
           "a16161f97c00",        // Infinity
           "a1616162c328",        // invalid UTF-8
           "a1616199ffff",        // array longer than the body
           "bb7fffffffffffffff",  // map longer than the body
           "ff",                  // lone break
       }) {
    EXPECT_EQ(ToJson(Unhex(hex), nullptr), kSerialization) << hex;
  }
}

TEST(CborRequest, EveryPrefixOfAValidBodyIsRejected) {
  CborWriter w;
  w.BeginMap();
  w.Text("StreamName");
  w.Text("s");
  w.Text("Records");
  w.BeginArray();
  w.BeginMap();
  w.Text("Data");
  w.Bytes("abc");
  w.End();
  w.End();
  w.End();
  std::string body = w.Take();
  ASSERT_NE(ToJson(body, Input("PutRecords")), kSerialization);
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_EQ(ToJson(body.substr(0, n), Input("PutRecords")), kSerialization) << n;
  }
}

TEST(CborRequest, NestingDepthIsBounded) {
  auto nested = [](int depth) {
    std::string body = "\xa1\x61\x61";
    for (int i = 0; i < depth; ++i) body.push_back('\x81');
    body.push_back('\x00');
    return body;
  };
  EXPECT_NE(ToJson(nested(kMaxCborDepth - 1), nullptr), kSerialization);
  EXPECT_EQ(ToJson(nested(kMaxCborDepth + 1), nullptr), kSerialization);
  EXPECT_EQ(ToJson(nested(100000), nullptr), kSerialization);
  std::string tags = "\xa1\x61\x61";
  for (int i = 0; i < 100000; ++i) tags.push_back('\xc1');
  tags.push_back('\x00');
  EXPECT_EQ(ToJson(tags, nullptr), kSerialization);
}

TEST(CborResponse, BlobsAndTimestampsByShape) {
  ApiResult<std::string> r = JsonResponseToCbor(
      R"({"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1700000000.123,"Data":"AQID",)"
      R"("PartitionKey":"p"}],"NextShardIterator":"it","MillisBehindLatest":0})",
      Output("GetRecords"));
  ASSERT_TRUE(r.ok());
  CborWriter w;
  w.BeginMap();
  w.Text("Records");
  w.BeginArray();
  w.BeginMap();
  w.Text("SequenceNumber");
  w.Text("1");
  w.Text("ApproximateArrivalTimestamp");
  w.TimestampMillis(1700000000123);
  w.Text("Data");
  w.Bytes(std::string("\x01\x02\x03", 3));
  w.Text("PartitionKey");
  w.Text("p");
  w.End();
  w.End();
  w.Text("NextShardIterator");
  w.Text("it");
  w.Text("MillisBehindLatest");
  w.Int(0);
  w.End();
  EXPECT_EQ(r.value(), w.Take());
}

TEST(CborResponse, IntegralTimestampsBoolsAndNulls) {
  ApiResult<std::string> r = JsonResponseToCbor(
      R"({"StreamDescriptionSummary":{"StreamCreationTimestamp":1700000000,"OpenShardCount":2,)"
      R"("EncryptionType":null,"X":true,"Y":-1.5}})",
      Output("DescribeStreamSummary"));
  ASSERT_TRUE(r.ok());
  CborWriter w;
  w.BeginMap();
  w.Text("StreamDescriptionSummary");
  w.BeginMap();
  w.Text("StreamCreationTimestamp");
  w.TimestampMillis(1700000000000);
  w.Text("OpenShardCount");
  w.Int(2);
  w.Text("EncryptionType");
  w.Null();
  w.Text("X");
  w.Bool(true);
  w.Text("Y");
  w.Double(-1.5);
  w.End();
  w.End();
  EXPECT_EQ(r.value(), w.Take());
}

TEST(CborResponse, RoundTripsThroughTheRequestTranscoder) {
  std::string json = R"({"Tags":{"k":"v"},"StreamName":"s"})";
  ApiResult<std::string> cbor = JsonResponseToCbor(json, Input("AddTagsToStream"));
  ASSERT_TRUE(cbor.ok());
  EXPECT_EQ(ToJson(cbor.value(), Input("AddTagsToStream")), json);
}

TEST(CborResponse, NotAnObjectIsAnInternalFailure) {
  EXPECT_FALSE(JsonResponseToCbor("[1]", nullptr).ok());
  EXPECT_FALSE(JsonResponseToCbor("{", nullptr).ok());
}

}  // namespace
}  // namespace riffle::protocol
