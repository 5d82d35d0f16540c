// Channels over the in-memory fake store: CreateChannel's checks, the
// lifecycle, and delivery into a recording sink — due by freshness, one
// shard's records per object, the position kept across a failed store of the
// object (the same object again, nothing lost or repeated).
#include "core/channel_service.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "core/channel_codec.h"
#include "core/channel_delivery.h"
#include "core/fake_store_for_test.h"
#include "core/object_body.h"

namespace riffle::core {
namespace {

class RecordingSink final : public ObjectSink {
 public:
  Status Put(const ObjectPut& object) override {
    std::lock_guard lock(mu);
    ++puts;
    if (fail) return Status::Unavailable("sink down");
    objects[object.bucket + "/" + object.key] = object;
    return Status::Ok();
  }
  std::string Describe() const override { return "recording"; }

  std::mutex mu;
  bool fail = false;
  int puts = 0;
  std::map<std::string, ObjectPut> objects;
};

class ChannelServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = StreamService::Open(store_, clock_, options_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    streams_ = std::move(*opened);
    channels_ = std::make_unique<ChannelService>(*streams_, clock_, options_);
    streams_->SetDeleteGuard([this](const StreamAddress& a, uint64_t incarnation) {
      return channels_->CheckStreamDeletable(a, incarnation);
    });
    ASSERT_TRUE(Create(stream_, StreamMode::kOnDemand).ok());
  }
  Status Create(const StreamAddress& a, StreamMode mode) {
    StreamCreation creation;
    creation.mode = mode;
    if (mode == StreamMode::kProvisioned) creation.shard_count = 1;
    Status result = Status::Internal("not called");
    streams_->CreateStream(a, creation, [&](Status s) { result = s; });
    return result;
  }
  ChannelRequest Request(const std::string& name) {
    ChannelRequest r;
    r.account_id = stream_.account_id;
    r.region = stream_.region;
    r.name = name;
    r.role_arn = "arn:aws:iam::000000000000:role/delivery";
    r.streams.push_back({stream_.Arn(), "JSON", std::nullopt});
    ChannelRequest::S3 s3;
    s3.bucket_arn = "arn:aws:s3:::my-bucket";
    s3.bucket_owner = "000000000000";
    s3.compression = "NONE";
    r.s3 = s3;
    return r;
  }
  void Put(const std::string& key, const std::string& data) {
    std::vector<PutEntry> entries{{key, data, std::nullopt}};
    streams_->PutRecords(stream_, entries, std::nullopt, [](StatusOr<std::vector<PutResult>> r) {
      ASSERT_TRUE(r.ok()) << r.status().message();
    });
  }
  std::vector<std::string> Delivered() {
    std::vector<std::string> lines;
    for (const auto& [key, object] : sink_.objects) {
      std::string body = object.body;
      size_t start = 0;
      for (size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1) {
        lines.push_back(body.substr(start, nl - start));
      }
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  ServiceOptions options_;
  FakeStore store_;
  ManualClock clock_{1800000000000};
  std::unique_ptr<StreamService> streams_;
  std::unique_ptr<ChannelService> channels_;
  RecordingSink sink_;
  StreamAddress stream_{"000000000000", "us-east-1", "source"};
};

TEST_F(ChannelServiceTest, CreatesDescribesListsAndDeletes) {
  auto created = channels_->Create(Request("c1"));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->state.status, ChannelStatus::kActive);
  EXPECT_EQ(created->arn, "arn:aws:kinesis:us-east-1:000000000000:channel/" + created->state.id);
  EXPECT_EQ(created->state.id.size(), 36u);
  EXPECT_EQ(created->state.freshness_seconds, 300);
  EXPECT_EQ(created->state.dlq_prefix, "kinesis-channel/errors/c1/" + created->state.id + "/");
  auto described = channels_->Describe(created->arn);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->state.name, "c1");
  EXPECT_EQ(described->stream_arn, stream_.Arn());
  auto listed = channels_->List(stream_.account_id, stream_.region, {stream_.Arn()}, std::nullopt, std::nullopt);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->channels.size(), 1u);
  EXPECT_TRUE(channels_->List(stream_.account_id, stream_.region, {stream_.Arn() + "x"}, std::nullopt,
                              std::nullopt)->channels.empty());

  Status refused = Status::Internal("not called");
  streams_->DeleteStream(stream_, false, [&](Status s) { refused = s; });
  EXPECT_EQ(refused.code(), Errc::kResourceInUse) << refused.message();

  ASSERT_TRUE(channels_->Delete(created->arn).ok());
  EXPECT_EQ(channels_->Describe(created->arn).status().code(), Errc::kResourceNotFound);
  EXPECT_EQ(*channels_->Count(stream_.account_id, stream_.region), 0);
}

TEST_F(ChannelServiceTest, ListsInPagesWithASealedToken) {
  for (const char* name : {"a", "b", "c"}) {
    StreamAddress stream{"000000000000", "us-east-1", std::string("src-") + name};
    ASSERT_TRUE(Create(stream, StreamMode::kOnDemand).ok());
    ChannelRequest r = Request(name);
    r.streams[0].stream_arn = stream.Arn();
    ASSERT_TRUE(channels_->Create(r).ok());
  }
  auto first = channels_->List(stream_.account_id, stream_.region, {}, 2, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->channels.size(), 2u);
  ASSERT_TRUE(first->next_token.has_value());
  auto second = channels_->List(stream_.account_id, stream_.region, {}, 2, first->next_token);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_EQ(second->channels.size(), 1u);
  EXPECT_EQ(second->channels[0].state.name, "c");
  EXPECT_FALSE(second->next_token.has_value());
  EXPECT_EQ(channels_->List(stream_.account_id, stream_.region, {}, 2, "forged").status().code(),
            Errc::kInvalidArgument);
  clock_.Advance(301 * 1000);
  EXPECT_EQ(channels_->List(stream_.account_id, stream_.region, {}, 2, first->next_token).status().code(),
            Errc::kExpiredNextToken);
}

TEST_F(ChannelServiceTest, RefusesWhatAwsRefuses) {
  ASSERT_TRUE(channels_->Create(Request("first")).ok());
  EXPECT_EQ(channels_->Create(Request("first")).status().code(), Errc::kResourceInUse);
  EXPECT_EQ(channels_->Create(Request("second")).status().code(), Errc::kLimitExceeded);  // one per stream

  StreamAddress provisioned{"000000000000", "us-east-1", "fixed"};
  ASSERT_TRUE(Create(provisioned, StreamMode::kProvisioned).ok());
  ChannelRequest r = Request("p");
  r.streams[0].stream_arn = provisioned.Arn();
  EXPECT_EQ(channels_->Create(r).status().code(), Errc::kValidation);

  auto refused = [&](auto change) {
    ChannelRequest bad = Request("bad");
    change(bad);
    return channels_->Create(bad).status().code();
  };
  EXPECT_EQ(refused([](ChannelRequest& b) { b.s3->compression = "SNAPPY"; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.s3->freshness_seconds = 299; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.s3->key_template = "/x/!{channel-name}"; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) {
              b.s3->compression = "GZIP";
              b.s3->key_template = "x/!{channel-name}";
            }),
            Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.s3_tables = true; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.s3.reset(); }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.streams[0].format = "GSR_JSON"; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.s3->bucket_arn = "arn:aws:s3:::B"; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.s3->bucket_owner = "123"; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.role_arn = "role"; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([](ChannelRequest& b) { b.name = "a b"; }), Errc::kInvalidArgument);
  EXPECT_EQ(refused([this](ChannelRequest& b) { b.streams[0].stream_arn = stream_.Arn() + "-missing"; }),
            Errc::kResourceNotFound);
}

TEST_F(ChannelServiceTest, UpdateNeedsActiveAndChecksFreshness) {
  auto created = channels_->Create(Request("u"));
  ASSERT_TRUE(created.ok());
  ChannelUpdate update;
  update.freshness_seconds = 1000;
  EXPECT_EQ(channels_->Update(created->arn, update).status().code(), Errc::kInvalidArgument);
  update.freshness_seconds = 600;
  auto updated = channels_->Update(created->arn, update);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(updated->state.freshness_seconds, 600);
  EXPECT_EQ(channels_->Describe(created->arn)->state.freshness_seconds, 600);
}

TEST_F(ChannelServiceTest, DeliversEachShardOnceFreshnessIsDueAndResumesAfterAFailedStore) {
  auto created = channels_->Create(Request("d"));
  ASSERT_TRUE(created.ok());
  ChannelDelivery delivery(*channels_, *streams_, store_, &sink_, clock_, {});
  for (int i = 0; i < 20; ++i) Put("k" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}");
  delivery.RunOnce();
  EXPECT_TRUE(sink_.objects.empty()) << "not due before DataFreshnessInSeconds";

  clock_.Advance(300 * 1000);
  sink_.fail = true;
  delivery.RunOnce();
  EXPECT_TRUE(sink_.objects.empty());
  EXPECT_GT(delivery.stats().failures, 0u);

  // A new delivery (a restart) continues from the pending extents.
  sink_.fail = false;
  for (int i = 20; i < 25; ++i) Put("k" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}");
  ChannelDelivery restarted(*channels_, *streams_, store_, &sink_, clock_, {});
  restarted.RunOnce();
  const std::vector<std::string> after_restart = Delivered();
  EXPECT_EQ(after_restart.size(), 20u) << "exactly the records of the extents decided before the failure";
  for (const auto& [key, object] : sink_.objects) {
    EXPECT_EQ(object.bucket, "my-bucket");
    EXPECT_EQ(key.rfind("my-bucket/kinesis-channel/d/" + created->state.id + "/", 0), 0u) << key;
  }

  clock_.Advance(300 * 1000);
  restarted.RunOnce();
  std::vector<std::string> all = Delivered();
  ASSERT_EQ(all.size(), 25u);
  EXPECT_EQ(std::unique(all.begin(), all.end()), all.end()) << "no record twice";

  // Nothing new: nothing written.
  const int puts = sink_.puts;
  clock_.Advance(300 * 1000);
  restarted.RunOnce();
  EXPECT_EQ(sink_.puts, puts);
}

TEST_F(ChannelServiceTest, RecordsBeforeTheChannelAreNotDelivered) {
  Put("early", "{\"early\":true}");
  clock_.Advance(10);
  auto created = channels_->Create(Request("late"));
  ASSERT_TRUE(created.ok());
  clock_.Advance(10);
  Put("later", "{\"later\":true}");
  clock_.Advance(300 * 1000);
  ChannelDelivery delivery(*channels_, *streams_, store_, &sink_, clock_, {});
  delivery.RunOnce();
  EXPECT_EQ(Delivered(), std::vector<std::string>{"{\"later\":true}"});
}

TEST_F(ChannelServiceTest, WithoutASinkTheChannelFails) {
  auto created = channels_->Create(Request("nowhere"));
  ASSERT_TRUE(created.ok());
  ChannelDelivery delivery(*channels_, *streams_, store_, nullptr, clock_, {});
  delivery.RunOnce();
  auto described = channels_->Describe(created->arn);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->state.status, ChannelStatus::kFailed);
  EXPECT_NE(described->state.status_reason.find("--s3-endpoint"), std::string::npos);
}

TEST(ChannelCodecTest, RoundTrips) {
  ChannelState c;
  c.id = "0b8f6c2e-1d3a-4c5b-9e7f-123456789abc";
  c.created_ms = 123;
  c.status = ChannelStatus::kUpdating;
  c.stream_name = "s";
  c.stream_incarnation = 7;
  c.format = RecordFormat::kString;
  c.compression = ObjectCompression::kZstd;
  c.storage_class = StorageClass::kGlacierIr;
  c.freshness_seconds = 900;
  c.tags = {{"a", "1"}};
  c.deliver_from_ms = 456;
  auto decoded = DecodeChannelState(EncodeChannelState(c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->id, c.id);
  EXPECT_EQ(decoded->status, ChannelStatus::kUpdating);
  EXPECT_EQ(decoded->compression, ObjectCompression::kZstd);
  EXPECT_EQ(decoded->tags, c.tags);
  EXPECT_EQ(decoded->deliver_from_ms, 456);
  EXPECT_FALSE(DecodeChannelState("\x02").ok());
  ChannelPosition p{10, 2, 15};
  auto position = DecodeChannelPosition(EncodeChannelPosition(p));
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(position->pending_end, 15u);
}

TEST(ObjectBodyTest, JoinsAndCompresses) {
  EXPECT_EQ(JoinRecords({"a", "b"}, RecordFormat::kJson), "a\nb\n");
  EXPECT_EQ(JoinRecords({"a", "b"}, RecordFormat::kByteArray), "ab");
  for (ObjectCompression c : {ObjectCompression::kNone, ObjectCompression::kGzip, ObjectCompression::kZstd}) {
    std::string text(10000, 'x');
    auto packed = Compress(text, c);
    ASSERT_TRUE(packed.ok());
    auto unpacked = Decompress(*packed, c);
    ASSERT_TRUE(unpacked.ok());
    EXPECT_EQ(*unpacked, text);
  }
}

}  // namespace
}  // namespace riffle::core
