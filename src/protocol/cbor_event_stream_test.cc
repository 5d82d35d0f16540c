#include "protocol/cbor_event_stream.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <utility>

#include "protocol/event_stream.h"
#include "protocol/shape_table.h"

namespace riffle::protocol {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

EventMessage Decode(std::string_view bytes) {
  EventMessage message;
  std::optional<size_t> size = DecodeEventMessage(bytes, &message);
  EXPECT_TRUE(size.has_value());
  EXPECT_EQ(size.value_or(0), bytes.size());
  return message;
}

TEST(EventStreamDecode, RoundTripsHeadersAndPayload) {
  std::string bytes = EncodeJsonEvent("initial-response", "{}");
  EventMessage m = Decode(bytes);
  ASSERT_EQ(m.headers.size(), 3u);
  EXPECT_EQ(m.Header(":event-type"), "initial-response");
  EXPECT_EQ(m.Header(":content-type"), "application/json");
  EXPECT_EQ(m.Header(":message-type"), "event");
  EXPECT_EQ(m.Header(":absent"), "");
  EXPECT_EQ(m.payload, "{}");
}

TEST(EventStreamDecode, IncompleteIsZeroAndCorruptIsAnError) {
  std::string bytes = EncodeJsonEvent("initial-response", "{}");
  EventMessage m;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeEventMessage(std::string_view(bytes).substr(0, n), &m), std::optional<size_t>(0)) << n;
  }
  EXPECT_EQ(DecodeEventMessage(bytes + "tail", &m), std::optional<size_t>(bytes.size()));
  std::string bad_prelude = bytes;
  bad_prelude[3] ^= 1;
  EXPECT_EQ(DecodeEventMessage(bad_prelude, &m), std::nullopt);
  std::string bad_payload = bytes;
  bad_payload[bytes.size() - 5] ^= 1;
  EXPECT_EQ(DecodeEventMessage(bad_payload, &m), std::nullopt);
}

TEST(EventShapes, SubscribeToShardEventIsGenerated) {
  const Shape* event = FindEventShape("SubscribeToShardEvent");
  ASSERT_NE(event, nullptr);
  ASSERT_EQ(event->kind, ShapeKind::kStructure);
  const Shape* records = event->Member("Records");
  ASSERT_NE(records, nullptr);
  ASSERT_EQ(records->kind, ShapeKind::kList);
  EXPECT_EQ(records->element->Member("Data")->kind, ShapeKind::kBlob);
  EXPECT_EQ(records->element->Member("ApproximateArrivalTimestamp")->kind, ShapeKind::kTimestamp);
  EXPECT_NE(event->Member("ChildShards"), nullptr);
  EXPECT_EQ(FindEventShape("initial-response"), nullptr);
  EXPECT_EQ(FindEventShape("ResourceNotFoundException"), nullptr);
}

TEST(CborEvent, InitialResponseIsAnEmptyMap) {
  auto cbor = JsonEventToCbor(EncodeJsonEvent("initial-response", "{}"));
  ASSERT_TRUE(cbor.ok()) << cbor.error().message;
  EventMessage m = Decode(cbor.value());
  EXPECT_EQ(m.Header(":event-type"), "initial-response");
  EXPECT_EQ(m.Header(":content-type"), "application/x-amz-cbor-1.1");
  EXPECT_EQ(m.Header(":message-type"), "event");
  EXPECT_EQ(Hex(m.payload), "bfff");
}

// Expected payload built by hand from RFC 8949: indefinite maps/arrays, the
// blob as a byte string (0x42 "hi"), the timestamp as tag 1 (0xc1) + uint64
// epoch milliseconds 1700000000123.
TEST(CborEvent, SubscribeToShardEventUsesTheEventShape) {
  std::string json =
      R"({"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1700000000.123,"Data":"aGk=",)"
      R"("PartitionKey":"k"}],"ContinuationSequenceNumber":"1","MillisBehindLatest":0})";
  auto cbor = JsonEventToCbor(EncodeJsonEvent("SubscribeToShardEvent", json));
  ASSERT_TRUE(cbor.ok()) << cbor.error().message;
  EventMessage m = Decode(cbor.value());
  EXPECT_EQ(m.Header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(m.Header(":content-type"), "application/x-amz-cbor-1.1");
  EXPECT_EQ(Hex(m.payload),
            "bf675265636f7264739fbf6e53657175656e63654e756d6265726131781b417070726f78696d6174654172726976616c5469"
            "6d657374616d70c11b0000018bcfe5687b64446174614268696c506172746974696f6e4b6579616bffff781a436f6e7469"
            "6e756174696f6e53657175656e63654e756d6265726131724d696c6c6973426568696e644c617465737400ff");
}

TEST(CborEvent, ExceptionKeepsItsTypeAndCarriesTheMessage) {
  auto cbor = JsonEventToCbor(EncodeJsonException("ResourceInUseException", "in use"));
  ASSERT_TRUE(cbor.ok()) << cbor.error().message;
  EventMessage m = Decode(cbor.value());
  EXPECT_EQ(m.Header(":message-type"), "exception");
  EXPECT_EQ(m.Header(":exception-type"), "ResourceInUseException");
  EXPECT_EQ(m.Header(":content-type"), "application/x-amz-cbor-1.1");
  EXPECT_EQ(Hex(m.payload), "bf676d65737361676566696e20757365ff");  // {"message": "in use"}
}

TEST(CborEvent, MalformedMessagesAreInternalFailures) {
  std::string bytes = EncodeJsonEvent("initial-response", "{}");
  EXPECT_FALSE(JsonEventToCbor(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(JsonEventToCbor(EncodeJsonEvent("SubscribeToShardEvent", "[1]")).ok());
  EXPECT_EQ(JsonEventToCbor(bytes + "x").error().type, "InternalFailure");
}

// A scripted JSON event stream: each Pull appends the next piece.
class ScriptedStream final : public BodyStream {
 public:
  struct Step {
    std::string bytes;
    State state;
  };
  explicit ScriptedStream(std::deque<Step> steps) : steps_(std::move(steps)) {}
  void Start(std::function<void()> wake) override { started = static_cast<bool>(wake); }
  PullResult Pull(std::string& out) override {
    ++pulls;
    if (steps_.empty()) return {State::kEnd};
    Step step = std::move(steps_.front());
    steps_.pop_front();
    out += step.bytes;
    return {step.state, step.state == State::kWait ? 5000 : -1};
  }
  void Cancel() override { cancelled = true; }

  bool started = false;
  bool cancelled = false;
  int pulls = 0;

 private:
  std::deque<Step> steps_;
};

TEST(CborEventStream, ReencodesEveryMessageAndPassesStatesThrough) {
  using State = BodyStream::State;
  std::string initial = EncodeJsonEvent("initial-response", "{}");
  std::string event = EncodeJsonEvent("SubscribeToShardEvent", R"({"Records":[],"MillisBehindLatest":0})");
  std::string exception = EncodeJsonException("ResourceNotFoundException", "gone");
  auto json = std::make_shared<ScriptedStream>(std::deque<ScriptedStream::Step>{
      {initial + event, State::kData},                 // two messages in one pull
      {"", State::kWait},                              // nothing yet
      {event.substr(0, 10), State::kData},             // a message split over pulls
      {event.substr(10), State::kData},
      {exception, State::kEnd},
  });
  CborEventStream cbor(json);
  cbor.Start([] {});
  EXPECT_TRUE(json->started);

  std::string out;
  EXPECT_EQ(cbor.Pull(out).state, State::kData);
  EventMessage first;
  std::optional<size_t> size = DecodeEventMessage(out, &first);
  ASSERT_TRUE(size && *size > 0);
  EXPECT_EQ(first.Header(":event-type"), "initial-response");
  EventMessage second = Decode(std::string_view(out).substr(*size));
  EXPECT_EQ(second.Header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(second.Header(":content-type"), "application/x-amz-cbor-1.1");

  out.clear();
  BodyStream::PullResult wait = cbor.Pull(out);
  EXPECT_EQ(wait.state, State::kWait);
  EXPECT_EQ(wait.retry_after_ms, 5000);
  EXPECT_TRUE(out.empty());

  EXPECT_EQ(cbor.Pull(out).state, State::kData);  // pulls both halves, never hands out an empty piece
  EXPECT_EQ(Decode(out).Header(":event-type"), "SubscribeToShardEvent");

  out.clear();
  EXPECT_EQ(cbor.Pull(out).state, State::kEnd);
  EventMessage last = Decode(out);
  EXPECT_EQ(last.Header(":exception-type"), "ResourceNotFoundException");
  EXPECT_EQ(Hex(last.payload), "bf676d65737361676564676f6e65ff");  // {"message": "gone"}
  const int pulls = json->pulls;
  out.clear();
  EXPECT_EQ(cbor.Pull(out).state, State::kEnd);
  EXPECT_EQ(json->pulls, pulls);
  EXPECT_TRUE(out.empty());
}

TEST(CborEventStream, CorruptInputEndsWithAnInternalFailureException) {
  using State = BodyStream::State;
  std::string bad = EncodeJsonEvent("initial-response", "{}");
  bad[bad.size() - 1] ^= 1;
  auto json = std::make_shared<ScriptedStream>(std::deque<ScriptedStream::Step>{{bad, State::kData}});
  CborEventStream cbor(json);
  std::string out;
  EXPECT_EQ(cbor.Pull(out).state, State::kEnd);
  EventMessage m = Decode(out);
  EXPECT_EQ(m.Header(":message-type"), "exception");
  EXPECT_EQ(m.Header(":exception-type"), "InternalFailure");
  EXPECT_EQ(m.Header(":content-type"), "application/x-amz-cbor-1.1");
  EXPECT_TRUE(json->cancelled);
}

}  // namespace
}  // namespace riffle::protocol
