#include "riffle/kinesis/aggregation.h"

#include <gtest/gtest.h>

#include "client/hash_key.h"

namespace riffle::kinesis {
namespace {

// The protobuf bytes of a two-record aggregate, written out by hand from
// the format (field keys 0x0A, 0x12, 0x1A; Record keys 0x08, 0x10, 0x1A).
TEST(Aggregation, EncodesTheDocumentedWireFormat) {
  RecordAggregator a;
  a.Add({"pk", "hi", std::nullopt});
  a.Add({"pk", "yo", std::string("7")});
  const std::string message =
      std::string("\x0A\x02pk", 4) +                    // partition_key_table[0] = "pk"
      std::string("\x12\x01" "7", 3) +                  // explicit_hash_key_table[0] = "7"
      std::string("\x1A\x06\x08\x00\x1A\x02hi", 8) +    // records[0]: pk 0, data "hi"
      std::string("\x1A\x08\x08\x00\x10\x00\x1A\x02yo", 10);  // records[1]: pk 0, ehk 0, data "yo"
  const std::string expected = std::string(kAggregatedMagic) + message + internal::Md5(message);
  EXPECT_EQ(a.Serialize(), expected);
  EXPECT_EQ(a.size(), expected.size());
}

TEST(Aggregation, RoundTripsKeysDataAndSubSequenceNumbers) {
  RecordAggregator a;
  std::vector<UserRecord> in;
  for (int i = 0; i < 300; ++i) {
    UserRecord r{"key-" + std::to_string(i % 7), std::string(static_cast<size_t>(i), static_cast<char>(i)), {}};
    if (i % 5 == 0) r.explicit_hash_key = std::to_string(i * 1000003);
    in.push_back(r);
    const size_t predicted = a.SizeWith(r);
    a.Add(r);
    ASSERT_EQ(a.size(), predicted) << i;
  }
  std::string data = a.Serialize();
  ASSERT_EQ(data.size(), a.size());
  EXPECT_TRUE(IsAggregated(data));
  auto out = DecodeAggregated(data);
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  ASSERT_EQ(out->size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ((*out)[i].partition_key, in[i].partition_key);
    EXPECT_EQ((*out)[i].explicit_hash_key, in[i].explicit_hash_key);
    EXPECT_EQ((*out)[i].data, in[i].data);
    EXPECT_EQ((*out)[i].sub_sequence_number, i);
  }
}

TEST(Aggregation, RefusesWhatIsNotAnAggregate) {
  RecordAggregator a;
  a.Add({"pk", "data", std::nullopt});
  a.Add({"pk2", "more", std::nullopt});
  std::string good = a.Serialize();

  EXPECT_FALSE(DecodeAggregated("plain data").ok());
  std::string flipped = good;
  flipped[6] ^= 1;  // inside the message: the MD5 no longer matches
  EXPECT_NE(DecodeAggregated(flipped).error().message().find("MD5"), std::string::npos);
  EXPECT_FALSE(DecodeAggregated(good.substr(0, 10)).ok());

  // A valid MD5 over a message whose record points past the key table.
  std::string message = std::string("\x0A\x01k", 3) + std::string("\x1A\x05\x08\x05\x1A\x01x", 7);
  std::string bad_index = std::string(kAggregatedMagic) + message + internal::Md5(message);
  EXPECT_NE(DecodeAggregated(bad_index).error().message().find("out of the table"), std::string::npos);
  // A record without its required data field.
  message = std::string("\x0A\x01k", 3) + std::string("\x1A\x02\x08\x00", 4);
  EXPECT_FALSE(DecodeAggregated(std::string(kAggregatedMagic) + message + internal::Md5(message)).ok());
  // A varint that never ends.
  message = std::string("\x0A\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 12);
  EXPECT_FALSE(DecodeAggregated(std::string(kAggregatedMagic) + message + internal::Md5(message)).ok());
}

TEST(Aggregation, UnknownFieldsAreSkipped) {
  // partition_key_table, an unknown varint field 9, a record with an
  // unknown fixed64 field 7 and a tag (field 4).
  std::string record = std::string("\x08\x00", 2) + std::string("\x39", 1) + std::string(8, 'z') +
                       std::string("\x22\x03\x0A\x01t", 5) + std::string("\x1A\x01x", 3);
  std::string message = std::string("\x0A\x01k", 3) + std::string("\x48\x2A", 2) + "\x1A" +
                        std::string(1, static_cast<char>(record.size())) + record;
  auto out = DecodeAggregated(std::string(kAggregatedMagic) + message + internal::Md5(message));
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].data, "x");
  EXPECT_EQ((*out)[0].partition_key, "k");
}

TEST(Aggregation, DeaggregateKeepsPlainRecordsWhole) {
  auto plain = Deaggregate("just bytes", "pk");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].data, "just bytes");
  EXPECT_EQ(plain[0].partition_key, "pk");
  // The magic with a broken checksum is read as a plain record, as the KCL does.
  std::string fake = std::string(kAggregatedMagic) + std::string(20, 'x');
  auto kept = Deaggregate(fake, "pk");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].data, fake);
}

}  // namespace
}  // namespace riffle::kinesis
