#include "core/channel_key_template.h"

#include <gtest/gtest.h>

namespace riffle::core {
namespace {

TEST(ChannelKeyTemplateTest, ExpandsTheDefaultTemplate) {
  KeyValues v;
  v.channel_name = "orders";
  v.channel_id = "id1";
  v.stream_name = "s";
  v.time_ms = 1784557800000;  // 2026-07-20T14:30:00Z
  v.compression = ObjectCompression::kGzip;
  v.unique_suffix = "-SUFFIX";
  EXPECT_EQ(ExpandKeyTemplate(kDefaultKeyTemplate, v),
            "kinesis-channel/orders/id1/2026/07/20/14/orders-id1-2026-07-20-14-30-SUFFIX.gz");
  EXPECT_TRUE(ValidateKeyTemplate(kDefaultKeyTemplate, ObjectCompression::kZstd).ok());
}

TEST(ChannelKeyTemplateTest, ExpandsEveryVariable) {
  KeyValues v;
  v.channel_name = "c";
  v.channel_id = "i";
  v.stream_name = "st";
  v.time_ms = 1784557800000;
  v.unique_suffix = "-u";
  EXPECT_EQ(ExpandKeyTemplate("data/stream=!{stream-name}/!{yy}!{MM}!{dd}/!{HH}!{mm}!{extension:.json}", v),
            "data/stream=st/260720/1430-u.json");
  EXPECT_EQ(ExpandKeyTemplate("!{channel-name}/!{channel-id}", v), "c/i-u");
}

TEST(ChannelKeyTemplateTest, RefusesBrokenTemplates) {
  for (const char* bad : {"/lead", "data/../x", "data//x", "a/./b", "x!{extension}y", "!{partition-id}",
                          "open!{yyyy", "space here", "x/!{extension:.JSON}", "trailing/"}) {
    EXPECT_EQ(ValidateKeyTemplate(bad, ObjectCompression::kNone).code(), Errc::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ValidateKeyTemplate("x/!{channel-name}", ObjectCompression::kGzip).code(), Errc::kInvalidArgument);
  EXPECT_TRUE(ValidateKeyTemplate("x/!{channel-name}!{extension}", ObjectCompression::kGzip).ok());
  EXPECT_EQ(ValidateKeyTemplate(std::string(990, 'a'), ObjectCompression::kNone).code(), Errc::kInvalidArgument);
}

}  // namespace
}  // namespace riffle::core
