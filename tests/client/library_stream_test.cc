// libriffle-kinesis against the real riffle binary: SubscribeToShard over
// HTTP/2 (pull and push, h2c and TLS), TLS verification, the Producer across
// a split, and the StreamReader across splits and merges. Endpoints: env
// RIFFLE_ENDPOINT; RIFFLE_TLS_ENDPOINT + RIFFLE_TLS_CA (a certificate for
// localhost only) from tests/client/test_library.py.
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "library_test_support.h"

namespace riffle::kinesis::testing {
namespace {

constexpr const char* kHalfHashKey = "170141183460469231731687303715884105728";  // 2^127

class Streams : public LiveServerTest {
 protected:
  std::string CreateStream(int shards) {
    std::string name = UniqueName("stream");
    EXPECT_OK(client_->CreateStream({.StreamName = name, .ShardCount = shards}));
    WaitActive(*client_, name);
    return name;
  }
  std::string RegisterConsumer(const std::string& stream) {
    auto arn = *client_->DescribeStreamSummary({.StreamName = stream})->StreamDescriptionSummary->StreamARN;
    auto consumer = client_->RegisterStreamConsumer({.StreamARN = arn, .ConsumerName = "reader"});
    EXPECT_OK(consumer);
    return *consumer->Consumer->ConsumerARN;
  }
  // Every record of the stream through a StreamReader (`limit` records per
  // GetRecords: small ones make it go round the shards often).
  std::vector<StreamRecord> ReadAll(const std::string& stream, StreamPosition start = {}, int limit = 10000) {
    auto reader = StreamReader::Create(client_, {.stream_name = stream, .start = start, .limit = limit});
    EXPECT_OK(reader);
    std::vector<StreamRecord> out;
    for (;;) {
      auto records = (*reader)->Next();
      EXPECT_OK(records);
      if (!records.ok() || !*records) break;
      for (auto& r : **records) out.push_back(std::move(r));
    }
    return out;
  }
};

TEST_F(Streams, SubscriptionPullAndPush) {
  const std::string stream = CreateStream(1);
  const std::string consumer = RegisterConsumer(stream);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(client_->PutRecord({.StreamName = stream, .Data = "r" + std::to_string(i), .PartitionKey = "k"}));
  }
  SubscribeToShardInput request{.ConsumerARN = consumer, .ShardId = "shardId-000000000000",
                                .StartingPosition = StartingPosition{.Type = "TRIM_HORIZON"}};
  std::string continuation;
  {
    auto pull = client_->SubscribeToShard(request);
    ASSERT_OK(pull);
    // A second subscription right after (within the service's 5 s) is refused, typed.
    auto again = client_->SubscribeToShard(request);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code(), ErrorCode::kResourceInUse);
    auto event = (*pull)->Next();
    ASSERT_OK(event);
    ASSERT_TRUE(*event);
    ASSERT_EQ((*event)->Records->size(), 3u);
    EXPECT_EQ((*(*event)->Records)[2].Data, "r2");
    continuation = *(*event)->ContinuationSequenceNumber;
    (*pull)->Close();
    auto closed = (*pull)->Next();
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.error().code(), ErrorCode::kCancelled);
  }
  // Push: events on an I/O thread, then the end. (The takeover rule: a new
  // subscription 5 s after the last one replaces it.)
  std::this_thread::sleep_for(std::chrono::milliseconds(5100));
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> pushed;
  std::optional<Result<Empty>> end;
  SubscriptionHandlers handlers;
  handlers.on_event = [&](SubscribeToShardEvent e) {
    std::lock_guard lock(mutex);
    for (auto& r : e.Records.value_or(std::vector<Record>{})) pushed.push_back(*r.Data);
    changed.notify_all();
  };
  handlers.on_end = [&](Result<Empty> r) {
    std::lock_guard lock(mutex);
    end = std::move(r);
    changed.notify_all();
  };
  request.StartingPosition = StartingPosition{.Type = "AFTER_SEQUENCE_NUMBER", .SequenceNumber = continuation};
  auto push = client_->SubscribeToShard(request, handlers);
  ASSERT_OK(push);
  ASSERT_OK(client_->PutRecord({.StreamName = stream, .Data = "r3", .PartitionKey = "k"}));
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(20), [&] { return !pushed.empty(); }));
    EXPECT_EQ(pushed, std::vector<std::string>{"r3"});
  }
  (*push)->Close();
  push->reset();  // waits for on_end
  ASSERT_TRUE(end);
  EXPECT_EQ(end->error().code(), ErrorCode::kCancelled);
}

TEST_F(Streams, TlsVerifiesTheCertificateAndTheHost) {
  const std::string tls = EnvOrEmpty("RIFFLE_TLS_ENDPOINT");  // https://localhost:PORT
  const std::string ca = EnvOrEmpty("RIFFLE_TLS_CA");
  if (tls.empty() || ca.empty()) GTEST_SKIP() << "RIFFLE_TLS_ENDPOINT / RIFFLE_TLS_CA not set";
  ClientOptions trusted;
  trusted.ca_file = ca;
  auto ok = MakeClient(tls, trusted);
  const std::string stream = UniqueName("tls");
  ASSERT_OK(ok->CreateStream({.StreamName = stream, .ShardCount = 1}));
  WaitActive(*ok, stream);
  ASSERT_OK(ok->PutRecord({.StreamName = stream, .Data = "secure", .PartitionKey = "k"}));
  // SubscribeToShard over TLS: ALPN h2.
  auto arn = *ok->DescribeStreamSummary({.StreamName = stream})->StreamDescriptionSummary->StreamARN;
  auto consumer = ok->RegisterStreamConsumer({.StreamARN = arn, .ConsumerName = "tls"});
  ASSERT_OK(consumer);
  auto sub = ok->SubscribeToShard({.ConsumerARN = consumer->Consumer->ConsumerARN, .ShardId = "shardId-000000000000",
                                   .StartingPosition = StartingPosition{.Type = "TRIM_HORIZON"}});
  ASSERT_OK(sub);
  auto event = (*sub)->Next();
  ASSERT_OK(event);
  ASSERT_EQ((*event)->Records->size(), 1u);
  EXPECT_EQ((*(*event)->Records)[0].Data, "secure");

  // Not trusted: the system store does not know the self-signed certificate.
  auto untrusted = MakeClient(tls)->ListStreams();
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().code(), ErrorCode::kTlsError);
  EXPECT_NE(untrusted.error().message().find("certificate verification failed"), std::string::npos)
      << untrusted.error().message();
  // Trusted but for another name: the certificate names localhost only.
  std::string by_address = tls;
  by_address.replace(by_address.find("localhost"), 9, "127.0.0.1");
  auto mismatch = MakeClient(by_address, trusted)->ListStreams();
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code(), ErrorCode::kTlsError);
  // Verification off: accepted.
  ClientOptions insecure;
  insecure.verify_tls = false;
  EXPECT_OK(MakeClient(by_address, insecure)->ListStreams());
}

// Records added while the shard splits: every one gets a receipt, and the
// stream holds each exactly once where its hash key belongs.
TEST_F(Streams, ProducerAcrossASplit) {
  const std::string stream = CreateStream(1);
  auto producer = Producer::Create(client_, {.stream_name = stream, .max_buffered_time = std::chrono::milliseconds(20)});
  ASSERT_OK(producer);
  std::vector<std::future<Result<RecordReceipt>>> receipts;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    if (i == 1000) {
      (*producer)->FlushAndWait();
      ASSERT_OK(client_->SplitShard({.StreamName = stream, .ShardToSplit = "shardId-000000000000",
                                     .NewStartingHashKey = kHalfHashKey}));
      WaitActive(*client_, stream);
    }
    receipts.push_back((*producer)->Add({.partition_key = std::to_string(rng()), .data = "record-" + std::to_string(i)}));
  }
  ASSERT_TRUE((*producer)->FlushAndWait(std::chrono::seconds(60)));
  std::set<std::string> shards;
  for (auto& f : receipts) {
    auto r = f.get();
    ASSERT_OK(r);
    shards.insert(r->shard_id);
  }
  EXPECT_TRUE(shards.count("shardId-000000000001") && shards.count("shardId-000000000002"));
  const ProducerStats stats = (*producer)->stats();
  EXPECT_EQ(stats.user_records_put, 3000u);
  EXPECT_LT(stats.kinesis_records_put, 3000u);  // aggregated
  std::map<std::string, int> seen;
  for (const StreamRecord& r : ReadAll(stream)) ++seen[r.data];
  ASSERT_EQ(seen.size(), 3000u);
  for (const auto& [data, count] : seen) EXPECT_EQ(count, 1) << data;
}

// One partition key's records come back in put order across a split and a
// merge: parents are read to their end before their children.
TEST_F(Streams, ReaderFollowsTheLineage) {
  // shard 0, split into 1 and 2, merged into 3: the key's records live in
  // 0, then in one child, then in 3.
  const std::string stream = CreateStream(1);
  int next = 0;
  auto put = [&](int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_OK(client_->PutRecord({.StreamName = stream, .Data = std::to_string(next++), .PartitionKey = "same-key"}));
      ASSERT_OK(client_->PutRecord({.StreamName = stream, .Data = "other", .PartitionKey = "k" + std::to_string(i)}));
    }
  };
  put(20);
  ASSERT_OK(client_->SplitShard({.StreamName = stream, .ShardToSplit = "shardId-000000000000",
                                 .NewStartingHashKey = kHalfHashKey}));
  WaitActive(*client_, stream);
  put(20);
  ASSERT_OK(client_->MergeShards({.StreamName = stream, .ShardToMerge = "shardId-000000000001",
                                  .AdjacentShardToMerge = "shardId-000000000002"}));
  WaitActive(*client_, stream);
  put(20);
  std::vector<int> order;
  std::string first_sequence;
  for (const StreamRecord& r : ReadAll(stream, {}, 3)) {
    if (r.partition_key != "same-key") continue;
    order.push_back(std::stoi(r.data));
    if (order.size() == 31) first_sequence = r.sequence_number;
  }
  ASSERT_EQ(order.size(), 60u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(order[i], i);

  // From a sequence number: that record and what came after, on every shard.
  std::vector<int> tail;
  for (const StreamRecord& r : ReadAll(stream, {StreamPosition::Type::kAtSequenceNumber, 0, first_sequence}, 3)) {
    if (r.partition_key == "same-key") tail.push_back(std::stoi(r.data));
  }
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(tail.front(), 30);
  EXPECT_EQ(tail.back(), 59);
  EXPECT_EQ(tail.size(), 30u);
}

TEST_F(Streams, ReaderFollowsNewRecordsUntilStopped) {
  const std::string stream = CreateStream(1);
  auto reader = StreamReader::Create(
      client_, {.stream_name = stream, .start = {StreamPosition::Type::kLatest, 0, {}}, .follow = true,
                .poll_interval = std::chrono::milliseconds(50)});
  ASSERT_OK(reader);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_OK(client_->PutRecord({.StreamName = stream, .Data = "late", .PartitionKey = "k"}));
  });
  auto records = (*reader)->Next();
  writer.join();
  ASSERT_OK(records);
  ASSERT_TRUE(*records);
  ASSERT_EQ((*records)->size(), 1u);
  EXPECT_EQ((**records)[0].data, "late");
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (*reader)->Stop();
  });
  auto stopped = (*reader)->Next();
  stopper.join();
  ASSERT_OK(stopped);
  EXPECT_FALSE(*stopped);
}

}  // namespace
}  // namespace riffle::kinesis::testing
