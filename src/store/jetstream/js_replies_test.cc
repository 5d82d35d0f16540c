#include "store/jetstream/js_replies.h"

#include <gtest/gtest.h>

namespace riffle::store::jetstream {
namespace {

TEST(MsgGetReplyTest, FoundMessage) {
  auto r = ParseMsgGetReply(
      R"({"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"riffle.log.7.0.end",)"
      R"("seq":4,"hdrs":"TkFUUy8xLjANCg==","data":"","time":"2026-12-07T02:53:38.107854311Z"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seq, 4u);
  EXPECT_EQ(r->err_code, 0);
  EXPECT_EQ(r->msg_id, "");
}

TEST(MsgGetReplyTest, MessageIdFromTheHeaders) {
  auto r = ParseMsgGetReply(
      R"({"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"riffle.log.7.0",)"
      R"("seq":12,"hdrs":"TkFUUy8xLjANCk5hdHMtTXNnLUlkOiA3ZjNhLTEyDQoNCg==","data":"AAEC","time":"x"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seq, 12u);
  EXPECT_EQ(r->msg_id, "7f3a-12");
  // Unpadded, another header first, no space after the colon.
  r = ParseMsgGetReply(R"({"message":{"subject":"s","seq":3,)"
                       R"("hdrs":"TkFUUy8xLjANCk90aGVyOiB4DQpOYXRzLU1zZy1JZDpyaWZmbGUtZW5kIA0KDQo","data":""}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->msg_id, "riffle-end");
  // No headers at all.
  r = ParseMsgGetReply(R"({"message":{"subject":"s","seq":3,"data":"AAEC"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->msg_id, "");
  // Headers that are not base64.
  EXPECT_FALSE(ParseMsgGetReply(R"({"message":{"subject":"s","seq":3,"hdrs":"TkFU*y8x","data":""}})"));
  EXPECT_FALSE(ParseMsgGetReply(R"({"message":{"subject":"s","seq":3,"hdrs":"TkFUU"}})"));
}

TEST(MsgGetReplyTest, NoMessageFound) {
  auto r = ParseMsgGetReply(R"({"type":"io.nats.jetstream.api.v1.stream_msg_get_response","error":)"
                            R"({"code":404,"err_code":10037,"description":"no message found"}})");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->seq);
  EXPECT_EQ(r->err_code, 10037);
}

TEST(MsgGetReplyTest, ErrorWithoutJetStreamCode) {
  auto r = ParseMsgGetReply(R"({"error":{"code":503,"description":"unavailable"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->err_code, 503);
}

TEST(MsgGetReplyTest, Garbage) {
  EXPECT_FALSE(ParseMsgGetReply(""));
  EXPECT_FALSE(ParseMsgGetReply("{\"message\":{\"subject\":\"x\"}}"));
  EXPECT_FALSE(ParseMsgGetReply("{\"message\":{\"seq\":-1}}"));
  EXPECT_FALSE(ParseMsgGetReply("{\"error\":{}}"));
}

TEST(PubAckTest, Acknowledgements) {
  auto a = ParsePubAck(R"({"stream":"riffle-log-7-0","seq":123})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->stream, "riffle-log-7-0");
  EXPECT_EQ(a->seq, 123u);
  a = ParsePubAck(R"({"stream":"riffle-log-7-0","domain":"hub","seq":9,"duplicate":true})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->seq, 9u);
}

TEST(PubAckTest, NotAcknowledgements) {
  EXPECT_FALSE(ParsePubAck(R"({"error":{"code":503,"err_code":10077,"description":"x"},"stream":"s","seq":1})"));
  EXPECT_FALSE(ParsePubAck(R"({"stream":"s","seq":0,"duplicate":true})"));
  EXPECT_FALSE(ParsePubAck(R"({"type":"io.nats.jetstream.api.v1.stream_msg_get_response",)"
                           R"("message":{"subject":"riffle.log.7.0.end","seq":4}})"));
  EXPECT_FALSE(ParsePubAck(R"({"type":"io.nats.jetstream.api.v1.stream_info_response","config":{},)"
                           R"("state":{"messages":1},"stream":"s","seq":3})"));
  EXPECT_FALSE(ParsePubAck(""));
  EXPECT_FALSE(ParsePubAck("+OK"));
  EXPECT_FALSE(ParsePubAck(R"({"stream":"s"})"));
}

}  // namespace
}  // namespace riffle::store::jetstream
