#include "store/jetstream/msg_get_reply.h"

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

}  // namespace
}  // namespace riffle::store::jetstream
