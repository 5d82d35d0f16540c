#include "store/jetstream/names.h"

#include <gtest/gtest.h>

namespace riffle::store::jetstream {
namespace {

TEST(NamesTest, LogNamesAndSubjects) {
  EXPECT_EQ(LogStreamName("riffle", {7, 3}), "riffle-log-7-3");
  EXPECT_EQ(LogSubject("riffle", {7, 3}), "riffle.log.7.3");
  EXPECT_EQ(LogEndSubject("riffle", {7, 3}), "riffle.log.7.3.end");
  EXPECT_TRUE(IsLogEndSubject(LogEndSubject("riffle", {7, 3})));
  EXPECT_FALSE(IsLogEndSubject(LogSubject("riffle", {7, 3})));
  EXPECT_EQ(AckInboxPrefix("riffle"), "_INBOX.riffle-acks.riffle");
  EXPECT_EQ(ParseShardTokens("riffle.tick.7.3"), (ShardKey{7, 3}));
  EXPECT_EQ(ParseShardTokens(TickSubject("p", {18446744073709551615ull, 4294967295u})),
            (ShardKey{18446744073709551615ull, 4294967295u}));
  EXPECT_FALSE(ParseShardTokens("riffle.acked.7"));
  EXPECT_FALSE(ParseShardTokens("riffle.acked.7.3x"));
  EXPECT_FALSE(ParseShardTokens("riffle.acked.7.4294967296"));
  EXPECT_EQ(TickSubject("p", {18446744073709551615ull, 4294967295u}), "p.tick.18446744073709551615.4294967295");
  EXPECT_EQ(ParseLogStreamName("riffle", "riffle-log-7-3"), (ShardKey{7, 3}));
  EXPECT_FALSE(ParseLogStreamName("riffle", "other-log-7-3"));
  EXPECT_FALSE(ParseLogStreamName("riffle", "riffle-log-07-3"));
  EXPECT_FALSE(ParseLogStreamName("riffle", "riffle-log-7-4294967296"));
  EXPECT_FALSE(ParseLogStreamName("riffle", "riffle-log-7"));
  EXPECT_FALSE(ParseLogStreamName("riffle", "KV_riffle-meta"));
  // A prefix that is itself a prefix of another's.
  EXPECT_FALSE(ParseLogStreamName("riffle", "riffle-log-x-log-1-2"));
  EXPECT_EQ(KvStreamName(MetaBucket("riffle", false)), "KV_riffle-meta");
  EXPECT_EQ(KvStreamName(MetaBucket("riffle", true)), "KV_riffle-lease");
  EXPECT_TRUE(ValidPrefix("riffle_2-b"));
  EXPECT_FALSE(ValidPrefix("a.b"));
  EXPECT_FALSE(ValidPrefix(""));
  EXPECT_FALSE(ValidPrefix("a/b"));
}

TEST(NamesTest, KeyEncodingIsBijectiveAndSubjectSafe) {
  EXPECT_EQ(EncodeKey("stream/0000/us-east-1/my_name"), "stream/0000/us-east-1/my_name");
  EXPECT_EQ(EncodeKey("a.b c"), "a=2Eb=20c");
  EXPECT_EQ(EncodeKey(std::string("\xFF\x00=", 3)), "=FF=00=3D");
  EXPECT_EQ(EncodeKey(""), "=");
  for (const std::string& key : {std::string(""), std::string("="), std::string("a.b"), std::string("*>"),
                                 std::string("\x00\x01\x7F\x80\xFF", 5), std::string("stream/x.y")}) {
    std::string encoded = EncodeKey(key);
    EXPECT_EQ(encoded.find_first_not_of("-/_=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
              std::string::npos)
        << encoded;
    EXPECT_EQ(DecodeKey(encoded), key);
  }
  // Strings EncodeKey never produces.
  EXPECT_FALSE(DecodeKey(""));
  EXPECT_FALSE(DecodeKey("=2"));
  EXPECT_FALSE(DecodeKey("=2e"));   // lower-case hex
  EXPECT_FALSE(DecodeKey("=41"));   // 'A' is kept, never escaped
  EXPECT_FALSE(DecodeKey("a.b"));
  EXPECT_FALSE(DecodeKey("=="));
}

TEST(NamesTest, CountersAndFirstSequence) {
  EXPECT_EQ(CounterOf(5, 3), (uint64_t{5} << 16) | 3);
  EXPECT_EQ(SequenceOf(CounterOf(5, 3)), 5u);
  EXPECT_EQ(IndexOf(CounterOf(5, 3)), 3u);
  EXPECT_EQ(FirstSequenceFor(0), 1u);
  EXPECT_EQ(FirstSequenceFor(1), 1u);
  EXPECT_EQ(FirstSequenceFor(65536), 1u);
  EXPECT_EQ(FirstSequenceFor(65537), 2u);
  EXPECT_EQ(FirstSequenceFor(CounterOf(9, 0)), 9u);
  EXPECT_EQ(LogDescription({42, std::nullopt}), "riffle log v1 first_counter=42");
  EXPECT_EQ(LogDescription({42, 65539}), "riffle log v1 first_counter=42 end=65539");
  EXPECT_EQ(ParseLogDescription("riffle log v1 first_counter=42")->first_counter, 42u);
  EXPECT_FALSE(ParseLogDescription("riffle log v1 first_counter=42")->end);
  EXPECT_EQ(ParseLogDescription("riffle log v1 first_counter=42 end=65539")->end, 65539u);
  EXPECT_FALSE(ParseLogDescription("riffle log v1 first_counter=42 end="));
  EXPECT_FALSE(ParseLogDescription("riffle log v1 first_counter=42 x=1"));
  EXPECT_FALSE(ParseLogDescription("riffle log v1 first_counter="));
  EXPECT_FALSE(ParseLogDescription(""));
}

}  // namespace
}  // namespace riffle::store::jetstream
