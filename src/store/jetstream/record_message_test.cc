#include "store/jetstream/record_message.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/codec/batch_codec.h"
#include "store/jetstream/names.h"

namespace riffle::store::jetstream {
namespace {

std::vector<AppendEntry> Entries(size_t n, size_t data_size) {
  std::vector<AppendEntry> entries;
  for (size_t i = 0; i < n; ++i) entries.push_back({"k" + std::to_string(i), std::string(data_size, 'x')});
  return entries;
}

TEST(RecordMessageTest, SplitsByPayloadSizeAndRecordCount) {
  const int64_t max_payload = 64 * 1024;
  auto one = SplitEntries(Entries(10, 100), max_payload);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].end, 10u);

  auto entries = Entries(10, 20000);
  auto many = SplitEntries(entries, max_payload);
  ASSERT_TRUE(many.ok());
  ASSERT_GT(many->size(), 1u);
  size_t expect_begin = 0;
  for (const Chunk& c : *many) {
    EXPECT_EQ(c.begin, expect_begin);
    std::string value;
    ASSERT_TRUE(codec::EncodeBatch(0, std::span(entries).subspan(c.begin, c.end - c.begin), &value).ok());
    EXPECT_LE(static_cast<int64_t>(value.size()), max_payload - kHeaderBudget);
    expect_begin = c.end;
  }
  EXPECT_EQ(expect_begin, entries.size());

  auto tiny = SplitEntries(Entries(70000, 0), max_payload * 16);
  ASSERT_TRUE(tiny.ok());
  for (const Chunk& c : *tiny) EXPECT_LE(c.end - c.begin, kMaxRecordsPerMessage);

  EXPECT_EQ(SplitEntries({}, max_payload).status().code(), Errc::kInvalidArgument);
}

TEST(RecordMessageTest, LargestRecordFitsOneMessage) {
  const int64_t max_payload = 64 * 1024;
  const uint64_t max = MaxRecordBytesFor(max_payload);
  std::vector<AppendEntry> fits = {{"pk", std::string(max - 2, 'd')}};
  auto chunks = SplitEntries(fits, max_payload);
  ASSERT_TRUE(chunks.ok());
  std::string value;
  ASSERT_TRUE(codec::EncodeBatch(0, fits, &value).ok());
  EXPECT_LE(static_cast<int64_t>(value.size()), max_payload - kHeaderBudget);
  std::vector<AppendEntry> too_big = {{"pk", std::string(max - 1, 'd')}};
  EXPECT_EQ(SplitEntries(too_big, max_payload).status().code(), Errc::kInvalidArgument);
}

TEST(RecordMessageTest, ReadsFromACounterWithinLimits) {
  auto entries = Entries(5, 10);
  std::string value;
  ASSERT_TRUE(codec::EncodeBatch(1234, entries, &value).ok());
  RecordsRead out;
  uint64_t bytes = 0;
  ReadLimits limits{.max_records = 2, .max_bytes = 1000};
  auto r = ReadMessage(7, value, CounterOf(7, 1), limits, &bytes, &out);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].counter, CounterOf(7, 1));
  EXPECT_EQ(out[0].partition_key, "k1");
  EXPECT_EQ(out[0].arrival_ms, 1234);
  EXPECT_FALSE(r->complete);
  EXPECT_EQ(r->next, CounterOf(7, 3));
  EXPECT_EQ(r->message_end, CounterOf(7, 5));

  RecordsRead rest;
  bytes = 0;
  r = ReadMessage(7, value, r->next, ReadLimits{}, &bytes, &rest);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rest.size(), 2u);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->next, CounterOf(7, 5));

  value[3] ^= 1;
  EXPECT_EQ(ReadMessage(7, value, 0, ReadLimits{}, &bytes, &rest).status().code(), Errc::kStorageError);
}

TEST(RecordMessageTest, RecordsViewAPayloadWithAnOwner) {
  auto entries = Entries(4, 10);
  auto owner = std::make_shared<std::string>();
  ASSERT_TRUE(codec::EncodeBatch(99, entries, owner.get()).ok());
  std::weak_ptr<std::string> watch = owner;
  RecordsRead out;
  uint64_t bytes = 0;
  auto r = ReadMessage(3, *owner, CounterOf(3, 1), ReadLimits{}, &bytes, &out, owner);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(out.size(), 3u);
  const char* begin = owner->data();
  const char* end = begin + owner->size();
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].partition_key, entries[i + 1].partition_key);
    EXPECT_EQ(out[i].data, entries[i + 1].data);
    EXPECT_TRUE(out[i].data.data() >= begin && out[i].data.data() < end) << "a view, not a copy";
  }
  owner.reset();
  EXPECT_FALSE(watch.expired()) << "the read keeps the payload";
  RecordsRead moved = std::move(out);
  EXPECT_EQ(moved[2].data, entries[3].data);
  moved = RecordsRead();
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace riffle::store::jetstream
