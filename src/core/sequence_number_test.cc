// Sequence numbers: the format KCL validates, ordering within a shard, and
// rejection of anything this server did not issue.
#include "core/sequence_number.h"

#include <gtest/gtest.h>

#include <random>

namespace riffle::core {
namespace {

SequenceNumber Make(uint64_t incarnation, uint32_t shard, uint64_t counter, uint64_t seconds) {
  SequenceNumber s;
  s.incarnation = incarnation;
  s.shard_index = shard;
  s.counter = counter;
  s.seconds = seconds;
  return s;
}

// Compares equal-length decimal strings numerically.
bool Less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

TEST(SequenceNumberTest, Is56DigitsAndRoundTrips) {
  for (auto s : {Make(1, 0, 0, 0), Make(SequenceNumber::kMaxIncarnation, 0xFFFFFFFF, SequenceNumber::kMaxCounter,
                                       SequenceNumber::kMaxSeconds),
                 Make(42, 7, 123456789, 1700000000)}) {
    std::string text = s.ToString();
    EXPECT_EQ(text.size(), 56u) << text;
    auto parsed = SequenceNumber::Parse(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(*parsed, s);
  }
}

TEST(SequenceNumberTest, KclFieldsAreWhereKclReadsThem) {
  // KCL reads the version from bits 184.. and the shard index from bits 4..35.
  std::string text = Make(3, 5, 9, 100).ToString();
  // Parse the decimal back with 128-bit halves: value >> 184 == 2.
  unsigned __int128 hi = 0, lo = 0;  // value = hi * 2^128 + lo, computed digit by digit
  for (char c : text) {
    unsigned __int128 d = static_cast<unsigned>(c - '0');
    // lo * 10 + d, carry into hi
    unsigned __int128 lo_low = (lo & ((static_cast<unsigned __int128>(1) << 64) - 1)) * 10 + d;
    unsigned __int128 lo_high = (lo >> 64) * 10 + (lo_low >> 64);
    lo = (lo_high << 64) | (lo_low & ((static_cast<unsigned __int128>(1) << 64) - 1));
    hi = hi * 10 + (lo_high >> 64);
  }
  EXPECT_EQ(static_cast<uint64_t>(hi >> 56), 2u);
  EXPECT_EQ(static_cast<uint64_t>((lo >> 4) & 0xFFFFFFFF), 5u);
  EXPECT_EQ(static_cast<uint64_t>(lo & 0xF), 2u);
}

TEST(SequenceNumberTest, OrderFollowsCounterThenIncarnation) {
  EXPECT_TRUE(Less(Make(1, 0, 5, 999).ToString(), Make(1, 0, 6, 0).ToString()));
  EXPECT_TRUE(Less(Make(1, 3, SequenceNumber::kMaxCounter, 0).ToString(), Make(2, 3, 0, 0).ToString()));
}

TEST(SequenceNumberTest, RejectsForeignNumbers) {
  EXPECT_FALSE(SequenceNumber::Parse(""));
  EXPECT_FALSE(SequenceNumber::Parse("0"));
  EXPECT_FALSE(SequenceNumber::Parse("12345"));
  // A version-1 style number (low nibble 1).
  EXPECT_FALSE(SequenceNumber::Parse("49590338271490256608559692538361571095921575989136588897"));
  std::string good = Make(1, 1, 1, 1).ToString();
  EXPECT_FALSE(SequenceNumber::Parse(good + "0"));
  EXPECT_FALSE(SequenceNumber::Parse("0" + good));
  std::string altered = good;
  altered.back() = altered.back() == '9' ? '8' : static_cast<char>(altered.back() + 1);
  EXPECT_FALSE(SequenceNumber::Parse(altered));
}

// Values and answers recorded from real Kinesis (kinesalite test/getShardIterator.js).
TEST(SequenceNumberFormatterTest, MatchesToStringForRunsAndJumps) {
  SequenceNumberFormatter formatter;
  std::mt19937_64 rng(5);
  for (int run = 0; run < 200; ++run) {
    SequenceNumber s;
    s.incarnation = rng() & SequenceNumber::kMaxIncarnation;
    s.shard_index = static_cast<uint32_t>(rng() % 5000);
    s.seconds = rng() & SequenceNumber::kMaxSeconds;
    // Small counters, random ones, and ones at the top of the field.
    s.counter = run % 3 == 0 ? rng() % 100 : run % 3 == 1 ? rng() >> 1 : SequenceNumber::kMaxCounter - rng() % 40;
    for (int i = 0; i < 60 && s.counter <= SequenceNumber::kMaxCounter; ++i, ++s.counter) {
      ASSERT_EQ(formatter.Format(s), s.ToString()) << "counter " << s.counter;
    }
    // The same counter again, or a gap, is formatted from scratch.
    --s.counter;
    ASSERT_EQ(formatter.Format(s), s.ToString());
    s.counter = s.counter > 5 ? s.counter - 5 : s.counter + 5;
    ASSERT_EQ(formatter.Format(s), s.ToString());
    ++s.seconds;
    s.seconds &= SequenceNumber::kMaxSeconds;
    ASSERT_EQ(formatter.Format(s), s.ToString());
  }
}

TEST(LegacySequenceNumber, DecodesTheEarlyLayoutAsKinesisWordsIt) {
  auto zero = LegacySequenceNumber::Parse("0");
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->decimal, "21267647932558653966460912964485513216");
  EXPECT_EQ(zero->shard_index, 0u);
  EXPECT_FALSE(zero->date_too_large);

  auto small = LegacySequenceNumber::Parse("425352958651173072921826052383309826");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->decimal, "21693000891209827039382739016868823042");
  EXPECT_EQ(small->shard_index, 2u);

  auto large = LegacySequenceNumber::Parse("323974270430642978495705530411780079616");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->decimal, "26227199374821822965252748908982894592");

  auto five = LegacySequenceNumber::Parse("5");
  ASSERT_TRUE(five);
  EXPECT_EQ(five->shard_index, 5u);

  auto dated = LegacySequenceNumber::Parse("26227199374822427428162556223570313216");
  ASSERT_TRUE(dated);
  EXPECT_TRUE(dated->date_too_large);

  EXPECT_FALSE(LegacySequenceNumber::Parse("12a"));
  EXPECT_FALSE(LegacySequenceNumber::Parse(std::string(40, '9')));
}

// The layouts Kinesis takes as SequenceNumberForOrdering (kinesalite
// test/putRecord.js, recorded from real Kinesis), as hex digits.
TEST(AcceptedForOrdering, FollowsTheRecordedAnswers) {
  auto decimal = [](std::string_view hex) {
    unsigned __int128 hi = 0, lo = 0;  // 188 bits: hi holds the top 60
    for (char c : hex) {
      int d = c <= '9' ? c - '0' : c - 'a' + 10;
      hi = (hi << 4) | (lo >> 124);
      lo = (lo << 4) | static_cast<unsigned __int128>(d);
    }
    std::string out;
    while (hi != 0 || lo != 0) {  // divide (hi, lo) by 10
      unsigned __int128 rem_hi = hi % 10;
      hi /= 10;
      unsigned __int128 top = (rem_hi << 64) | (lo >> 64);
      unsigned __int128 q_top = top / 10, r = top % 10;
      unsigned __int128 low = (r << 64) | (lo & ~uint64_t{0});
      lo = (q_top << 64) | (low / 10);
      out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(low % 10)));
    }
    return out;
  };
  const uint64_t now = 1'700'000'000;
  EXPECT_TRUE(AcceptedForOrdering(decimal("2ffffffffff7fffffffffffffff000000000007fffffff2"), now));
  EXPECT_TRUE(AcceptedForOrdering(decimal("20000000000000000000000000000000000000000000002"), now));
  EXPECT_TRUE(AcceptedForOrdering(decimal("20000000000000000000000000000000000000000000001"), now));
  EXPECT_TRUE(AcceptedForOrdering(decimal("20000000000000000000000000000000000000800000002"), now));
  EXPECT_FALSE(AcceptedForOrdering(decimal("20000000000000000000000000000000000000000000000"), now));
  EXPECT_FALSE(AcceptedForOrdering(decimal("20000000000000000000000000000000000000000000004"), now));
  EXPECT_FALSE(AcceptedForOrdering(decimal("1ffffffffff7fffffffffffffff000000000007fffffff2"), now));
  EXPECT_FALSE(AcceptedForOrdering(decimal("20000000000800000000000000000000000000000000002"), now));
  EXPECT_FALSE(AcceptedForOrdering(decimal("2000000000000000000000000000006553f101000000002"), now));  // future
  EXPECT_FALSE(AcceptedForOrdering("1", now));
}

}  // namespace
}  // namespace riffle::core
