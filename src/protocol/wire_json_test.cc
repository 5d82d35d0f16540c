// Tests of the generated codecs and validators (wire_json.h). Expected
// texts are what real Kinesis returns (kinesalite tests captured from AWS,
// see the protocol report).
#include "protocol/wire_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace riffle::protocol {
namespace {

template <typename T>
T Decode(std::string_view body) {
  ApiResult<T> r = DecodeJson<T>(body);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return std::move(r).value();
}

template <typename T>
std::string DecodeError(std::string_view body) {
  ApiResult<T> r = DecodeJson<T>(body);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.error().type, "SerializationException");
  return r.error().message;
}

template <typename T>
std::string ValidationMessage(std::string_view body) {
  std::optional<ApiError> err = Validate(Decode<T>(body));
  EXPECT_TRUE(err.has_value());
  if (!err) return "";
  EXPECT_EQ(err->type, "ValidationException");
  EXPECT_EQ(err->http_status, 400);
  return err->message;
}

TEST(WireTypes, ModelOperationsAreThe45Operations) {
  EXPECT_EQ(wire::kModelOperations.size(), 45u);
  EXPECT_TRUE(std::is_sorted(wire::kModelOperations.begin(), wire::kModelOperations.end()));
  std::set<std::string_view> ops(wire::kModelOperations.begin(), wire::kModelOperations.end());
  EXPECT_EQ(ops.size(), 45u);
  for (auto name : {"PutRecords", "SubscribeToShard", "UpdateStreamWarmThroughput", "CreateStream", "CreateChannel"}) {
    EXPECT_TRUE(ops.count(name)) << name;
  }
  static_assert(wire::ops::CreateStream::kName == "CreateStream");
  static_assert(std::is_same_v<wire::ops::CreateStream::Output, wire::Empty>);
  static_assert(std::is_same_v<wire::ops::PutRecords::Input, wire::PutRecordsInput>);
}

TEST(DecodeJson, ReadsMembersIgnoresUnknownAndTreatsNullAsAbsent) {
  auto in = Decode<wire::CreateStreamInput>(
      R"({"StreamName":"s","ShardCount":3,"Unknown":[1,{}],"StreamModeDetails":null,
          "Tags":{"b":"1","a":"2"}})");
  EXPECT_EQ(in.StreamName, "s");
  EXPECT_EQ(in.ShardCount, 3);
  EXPECT_FALSE(in.StreamModeDetails.has_value());
  ASSERT_TRUE(in.Tags.has_value());
  ASSERT_EQ(in.Tags->size(), 2u);
  EXPECT_EQ((*in.Tags)[0].first, "b");  // input order kept
}

TEST(DecodeJson, DecodesBlobsAndNestedLists) {
  auto in = Decode<wire::PutRecordsInput>(
      R"({"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"},{"Data":""}]})");
  ASSERT_EQ(in.Records->size(), 2u);
  EXPECT_EQ((*in.Records)[0].Data, "hello");
  EXPECT_EQ((*in.Records)[1].Data, "");
  EXPECT_FALSE((*in.Records)[1].PartitionKey.has_value());
}

TEST(DecodeJson, IntegersAreFlooredAndClampedLikeJava) {
  EXPECT_EQ(Decode<wire::CreateStreamInput>(R"({"ShardCount":2.9})").ShardCount, 2);
  EXPECT_EQ(Decode<wire::CreateStreamInput>(R"({"ShardCount":100000000000})").ShardCount,
            2147483647);
}

TEST(DecodeJson, TimestampsAreEpochSecondNumbers) {
  auto in = Decode<wire::GetShardIteratorInput>(R"({"Timestamp":1700000000.25})");
  EXPECT_DOUBLE_EQ(*in.Timestamp, 1700000000.25);
  EXPECT_EQ(DecodeError<wire::GetShardIteratorInput>(R"({"Timestamp":"2023-01-01"})"),
            "class java.lang.String can not be converted to milliseconds since epoch");
  EXPECT_EQ(DecodeError<wire::GetShardIteratorInput>(R"({"Timestamp":true})"),
            "class java.lang.Boolean can not be converted to milliseconds since epoch");
}

TEST(DecodeJson, TypeErrorsUseAwsTexts) {
  using In = wire::CreateStreamInput;
  EXPECT_EQ(DecodeError<In>(R"({"StreamName":true})"),
            "class java.lang.Boolean can not be converted to an String");
  EXPECT_EQ(DecodeError<In>(R"({"StreamName":23})"),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
  EXPECT_EQ(DecodeError<In>(R"({"StreamName":[]})"), "Start of list found where not expected");
  EXPECT_EQ(DecodeError<In>(R"({"StreamName":{}})"),
            "Start of structure or map found where not expected.");
  EXPECT_EQ(DecodeError<In>(R"({"ShardCount":"23"})"),
            "class java.lang.String can not be converted to an Integer");
  EXPECT_EQ(DecodeError<In>(R"({"ShardCount":false})"),
            "class java.lang.Boolean can not be converted to an Integer");
  EXPECT_EQ(DecodeError<In>(R"({"Tags":"x"})"), "Expected map or null");
  EXPECT_EQ(DecodeError<In>(R"({"Tags":[]})"), "Start of list found where not expected");
  EXPECT_EQ(DecodeError<In>(R"({"StreamModeDetails":5})"), "Expected null");
  EXPECT_EQ(DecodeError<wire::PutRecordsInput>(R"({"Records":{}})"),
            "Start of structure or map found where not expected.");
  EXPECT_EQ(DecodeError<wire::PutRecordsInput>(R"({"Records":"x"})"), "Expected list or null");
  EXPECT_EQ(DecodeError<wire::PutRecordsInput>(R"({"Records":[{"Data":"23456"}]})"),
            "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple "
            "of 4 bytes but found: 5");
  EXPECT_EQ(DecodeError<wire::PutRecordsInput>(R"({"Records":[{"Data":1}]})"),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob");
  EXPECT_EQ(DecodeError<wire::DeleteStreamInput>(R"({"EnforceConsumerDeletion":"maybe"})"),
            "'MAYBE' can not be converted to an Boolean");
  EXPECT_EQ(Decode<wire::DeleteStreamInput>(R"({"EnforceConsumerDeletion":"true"})")
                .EnforceConsumerDeletion,
            true);
}

TEST(DecodeJson, NonObjectBodiesAreSerializationExceptionsWithoutMessage) {
  EXPECT_EQ(DecodeError<wire::ListStreamsInput>(""), "");
  EXPECT_EQ(DecodeError<wire::ListStreamsInput>("hello"), "");
  EXPECT_EQ(DecodeError<wire::ListStreamsInput>("[]"), "");
  EXPECT_EQ(DecodeError<wire::ListStreamsInput>("42"), "");
  EXPECT_EQ(DecodeError<wire::Empty>("{"), "");
  EXPECT_TRUE(DecodeJson<wire::Empty>("{}").ok());
}

TEST(Validate, MissingRequiredMembers) {
  // ShardCount is optional in the current model (on-demand streams).
  EXPECT_EQ(ValidationMessage<wire::CreateStreamInput>("{}"),
            "1 validation error detected: Value null at 'streamName' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(ValidationMessage<wire::GetShardIteratorInput>("{}"),
            "2 validation errors detected: "
            "Value null at 'shardId' failed to satisfy constraint: Member must not be null; "
            "Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null");
}

TEST(Validate, PatternThenLengthThenRangeWithQuotedValues) {
  EXPECT_EQ(ValidationMessage<wire::CreateStreamInput>(R"({"StreamName":"","ShardCount":0})"),
            "3 validation errors detected: "
            "Value '0' at 'shardCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  EXPECT_EQ(ValidationMessage<wire::CreateStreamInput>(R"({"StreamName":"a b","ShardCount":1})"),
            "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

TEST(Validate, EnumUsesAwsOrder) {
  EXPECT_EQ(ValidationMessage<wire::GetShardIteratorInput>(
                R"({"StreamName":"s","ShardId":"0","ShardIteratorType":"X"})"),
            "1 validation error detected: Value 'X' at 'shardIteratorType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, "
            "AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
}

TEST(Validate, NestedListMembersUseOneBasedMemberPaths) {
  EXPECT_EQ(ValidationMessage<wire::PutRecordsInput>(
                R"({"StreamName":"s","Records":[{"Data":"","PartitionKey":"k"},
                    {"Data":"","PartitionKey":"","ExplicitHashKey":"x"}]})"),
            "2 validation errors detected: "
            "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1; "
            "Value 'x' at 'records.2.member.explicitHashKey' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
  // Entry members in the order AWS lists them: partitionKey, explicitHashKey, data.
  EXPECT_EQ(ValidationMessage<wire::PutRecordsInput>(R"({"StreamName":"s","Records":[{}]})"),
            "2 validation errors detected: "
            "Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null; "
            "Value null at 'records.1.member.data' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(ValidationMessage<wire::PutRecordsInput>(R"({"StreamName":"s","Records":[]})"),
            "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
}

TEST(Validate, BlobLengthIsInBytesAndPrintedAsByteBuffer) {
  std::string data(10485761, 'a');
  wire::PutRecordInput in;
  in.StreamName = "s";
  in.PartitionKey = "k";
  in.Data = data;
  std::optional<ApiError> err = Validate(in);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message,
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 "
            "cap=10485761]' at 'data' failed to satisfy constraint: Member must have length "
            "less than or equal to 10485760");
}

TEST(Validate, StringLengthCountsUnicodeCharacters) {
  std::string key;
  for (int i = 0; i < 256; ++i) key += "ü";  // 512 bytes, 256 characters
  wire::PutRecordInput in;
  in.StreamName = "s";
  in.Data = "";
  in.PartitionKey = key;
  EXPECT_FALSE(Validate(in).has_value());
  in.PartitionKey = key + "ü";
  std::optional<ApiError> err = Validate(in);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "1 validation error detected: Value '" + key +
                              "ü' at 'partitionKey' failed to satisfy constraint: Member must "
                              "have length less than or equal to 256");
}

TEST(Validate, ListOfStringsReportsMemberConstraintsOnce) {
  std::string long_key(129, 'a');
  EXPECT_EQ(ValidationMessage<wire::RemoveTagsFromStreamInput>(
                R"({"StreamName":"s","TagKeys":["a",")" + long_key + R"(","b"]})"),
            "1 validation error detected: Value '[a, " + long_key +
                ", b]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
                "[Member must have length less than or equal to 128, Member must have length "
                "greater than or equal to 1]");
}

TEST(Validate, MapsPrintKeyEqualsValue) {
  EXPECT_EQ(ValidationMessage<wire::AddTagsToStreamInput>(R"({"StreamName":"s","Tags":{}})"),
            "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  EXPECT_EQ(ValidationMessage<wire::AddTagsToStreamInput>(R"({"StreamName":"s","Tags":{"":"v"}})"),
            "1 validation error detected: Value '{=v}' at 'tags' failed to satisfy constraint: "
            "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
            "Member must have length greater than or equal to 1]");
}

TEST(Validate, AtMostTenErrorsAreListed) {
  std::string body = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 12; ++i) body += std::string(i ? "," : "") + "{}";
  body += "]}";
  std::string msg = ValidationMessage<wire::PutRecordsInput>(body);
  EXPECT_EQ(msg.rfind("10 validation errors detected: ", 0), 0u) << msg;
  EXPECT_EQ(msg.find("records.6.member"), std::string::npos);
}

TEST(Validate, ValidInputPasses) {
  EXPECT_FALSE(Validate(Decode<wire::PutRecordsInput>(
                            R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k",
                                "ExplicitHashKey":"340282366920938463463374607431768211455"}]})"))
                   .has_value());
  EXPECT_FALSE(Validate(wire::Empty{}).has_value());
}

TEST(EncodeJson, OmitsAbsentMembersAndEncodesBlobsAndTimestamps) {
  wire::GetRecordsOutput out;
  wire::Record r;
  r.SequenceNumber = "49590338271490256608559692538361571095921575989136588898";
  r.ApproximateArrivalTimestamp = 1700000000.123;
  r.Data = "hello";
  r.PartitionKey = "k";
  out.Records.emplace().push_back(r);
  out.MillisBehindLatest = 0;
  EXPECT_EQ(EncodeJson(out),
            R"({"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898",)"
            R"("ApproximateArrivalTimestamp":1700000000.123,"Data":"aGVsbG8=","PartitionKey":"k"}],)"
            R"("MillisBehindLatest":0})");
  EXPECT_EQ(EncodeJson(wire::Empty{}), "{}");
}

TEST(EncodeJson, NestedStructuresAndBooleans) {
  wire::DescribeStreamSummaryOutput out;
  auto& d = out.StreamDescriptionSummary.emplace();
  d.StreamName = "s";
  d.StreamModeDetails.emplace().StreamMode = "ON_DEMAND";
  d.EnhancedMonitoring.emplace().emplace_back().ShardLevelMetrics = std::vector<std::string>{"ALL"};
  d.OpenShardCount = 2;
  EXPECT_EQ(EncodeJson(out),
            R"({"StreamDescriptionSummary":{"StreamName":"s","StreamModeDetails":{"StreamMode":"ON_DEMAND"},)"
            R"("EnhancedMonitoring":[{"ShardLevelMetrics":["ALL"]}],"OpenShardCount":2}})");
}

TEST(EncodeJson, RoundTripsThroughDecode) {
  // ListShardsInput is an input; encode its fields via an output-like check:
  // decode what a client sends, re-validate, and compare members.
  auto in = Decode<wire::ListShardsInput>(
      R"({"StreamName":"s","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1700000000.5},"MaxResults":5})");
  EXPECT_EQ(in.ShardFilter->Type, "AT_TIMESTAMP");
  EXPECT_DOUBLE_EQ(*in.ShardFilter->Timestamp, 1700000000.5);
  EXPECT_FALSE(Validate(in).has_value());
  auto bad = Decode<wire::ListShardsInput>(R"({"ShardFilter":{}})");
  EXPECT_EQ(Validate(bad)->message,
            "1 validation error detected: Value null at 'shardFilter.type' failed to satisfy "
            "constraint: Member must not be null");
}

}  // namespace
}  // namespace riffle::protocol
