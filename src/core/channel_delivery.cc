#include "core/channel_delivery.h"

#include <cstdio>
#include <vector>

#include "core/channel_codec.h"
#include "core/channel_key_template.h"
#include "core/object_body.h"
#include "core/stream_service_internal.h"

namespace riffle::core {
namespace {

std::string BucketName(const std::string& bucket_arn) { return bucket_arn.substr(bucket_arn.rfind(':') + 1); }

// "-<shard index, 12 digits>-<first record's counter, 20 digits>": 34 characters.
std::string UniqueSuffix(uint32_t shard, uint64_t first_counter) {
  char out[48];
  std::snprintf(out, sizeof out, "-%012u-%020llu", shard, static_cast<unsigned long long>(first_counter));
  return out;
}

}  // namespace

ChannelDelivery::ChannelDelivery(ChannelService& channels, StreamService& streams, store::Store& store,
                                 ObjectSink* sink, const Clock& clock, Options options)
    : channels_(channels), streams_(streams), store_(store), sink_(sink), clock_(clock), options_(options) {}

ChannelDelivery::~ChannelDelivery() { Stop(); }

void ChannelDelivery::Start() { thread_ = std::thread([this] { Run(); }); }

void ChannelDelivery::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ChannelDelivery::Stats ChannelDelivery::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void ChannelDelivery::Failed(const std::string& error) {
  std::lock_guard lock(mu_);
  ++stats_.failures;
  stats_.last_error = error;
}

void ChannelDelivery::Run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms), [this] { return stopping_; })) return;
    }
    RunOnce();
  }
}

void ChannelDelivery::RunOnce() {
  std::lock_guard run(run_mu_);
  auto all = channels_.All();
  if (!all.ok()) return Failed(all.status().message());
  for (const ChannelService::Stored& stored : *all) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    const int64_t now = clock_.NowMs();
    std::optional<ChannelState> c = ChannelService::AsOf(stored.state, now);
    if (!c) {
      if (Status removed = channels_.Remove(stored); !removed.ok()) Failed(removed.message());
      continue;
    }
    if (c->status == ChannelStatus::kActive || c->status == ChannelStatus::kUpdating) DeliverChannel(stored, *c, now);
  }
}

void ChannelDelivery::DeliverChannel(const ChannelService::Stored& stored, const ChannelState& c, int64_t now) {
  if (sink_ == nullptr) {
    (void)channels_.Fail(stored, "No destination: the server was started without --s3-endpoint.");
    return;
  }
  StatusOr<StreamState> stream = streams_.StreamSnapshot(ChannelService::StreamOf(stored.key, c), false);
  if (!stream.ok() && stream.status().code() != Errc::kResourceNotFound) return Failed(stream.status().message());
  if (!stream.ok() || stream->incarnation != c.stream_incarnation) {
    (void)channels_.Fail(stored, "The source stream " + c.stream_name + " was deleted.");
    return;
  }
  for (const ShardState& shard : stream->shards) {
    // A few objects per shard and pass, so one busy shard does not hold up the rest.
    for (int i = 0; i < 4 && DeliverShard(c, *stream, shard, now); ++i) {
    }
  }
}

bool ChannelDelivery::DeliverShard(const ChannelState& c, const StreamState& stream, const ShardState& shard,
                                   int64_t now) {
  const store::ShardKey log{stream.incarnation, shard.index};
  const std::string key = ChannelPositionKey(c.id, shard.index);
  // As this node last saw it: a stale copy loses the compare-and-set below.
  std::optional<store::MetaEntry> entry = streams_.MetaEntryOf(key);
  ChannelPosition position;
  uint64_t revision = store::kMustNotExist;
  if (entry) {
    StatusOr<ChannelPosition> decoded = DecodeChannelPosition(entry->value);
    if (!decoded.ok()) {
      Failed(decoded.status().message());
      return false;
    }
    position = *decoded;
    revision = entry->revision;
  } else {
    if (shard.closed && shard.closed_ms < c.deliver_from_ms) return false;  // closed before the channel began
    Waiter<StatusOr<uint64_t>> found;
    store_.FindByArrival(log, c.deliver_from_ms, found.Callback());
    StatusOr<uint64_t> first = found.Wait();
    if (!first.ok()) {
      Failed(first.status().message());
      return false;
    }
    position.next_counter = *first;
  }
  if (position.pending_end == 0 && shard.closed && position.next_counter >= shard.end_counter) return false;

  store::ReadLimits limits;
  limits.max_records = 1000000;
  limits.max_bytes = options_.max_object_bytes;
  Waiter<StatusOr<store::LogRead>> reading;
  store_.Read(log, position.next_counter, limits, reading.Callback());
  StatusOr<store::LogRead> read = reading.Wait();
  if (!read.ok()) {
    Failed(read.status().message());
    return false;
  }
  std::vector<std::string_view> records;
  uint64_t first_counter = 0;
  int64_t first_arrival = 0;
  uint64_t end = position.pending_end;
  for (const store::Record& r : read->records) {
    if (end != 0 && r.counter >= end) break;
    if (records.empty()) {
      first_counter = r.counter;
      first_arrival = r.arrival_ms;
    }
    records.push_back(r.data);
  }
  if (end == 0) {
    if (records.empty()) return false;
    const int64_t freshness_ms = options_.freshness_ms.value_or(c.freshness_seconds * 1000);
    const bool full = !read->at_end && read->records.size() > 0;
    if (!full && first_arrival + freshness_ms > now) return false;  // not due yet
    end = read->records.back().counter + 1;
    // (1) The object's extent, before it exists.
    ChannelPosition intent = position;
    intent.pending_end = end;
    StatusOr<uint64_t> written = streams_.WriteMeta({key, EncodeChannelPosition(intent), revision});
    if (!written.ok()) {
      if (written.status().code() != Errc::kConflict) Failed(written.status().message());
      return false;  // another node delivers this shard now
    }
    revision = *written;
  } else if (records.empty()) {
    // The pending extent holds no readable record any more (expired): skip it.
    first_counter = position.next_counter;
  }

  // (2) The object.
  if (!records.empty()) {
    const std::string body = JoinRecords(records, c.format);
    StatusOr<std::string> compressed = Compress(body, c.compression);
    if (!compressed.ok()) {
      Failed(compressed.status().message());
      return false;
    }
    ObjectPut put;
    put.bucket = BucketName(c.bucket_arn);
    KeyValues values;
    values.channel_name = c.name;
    values.channel_id = c.id;
    values.stream_name = c.stream_name;
    values.time_ms = first_arrival;
    values.compression = c.compression;
    values.unique_suffix = UniqueSuffix(shard.index, first_counter);
    put.key = ExpandKeyTemplate(c.key_template.empty() ? kDefaultKeyTemplate : c.key_template, values);
    put.body = std::move(*compressed);
    put.content_type = c.format == RecordFormat::kJson     ? "application/x-ndjson"
                       : c.format == RecordFormat::kString ? "text/plain; charset=utf-8"
                                                           : "application/octet-stream";
    put.content_encoding = c.compression == ObjectCompression::kGzip   ? "gzip"
                           : c.compression == ObjectCompression::kZstd ? "zstd"
                                                                       : "";
    put.storage_class = StorageClassName(c.storage_class);
    put.expected_bucket_owner = c.bucket_owner;
    if (Status stored = sink_->Put(put); !stored.ok()) {
      Failed(stored.message());
      return false;  // the extent stays pending: the same object is written again later
    }
    std::lock_guard lock(mu_);
    ++stats_.objects;
    stats_.records += records.size();
    stats_.bytes += put.body.size();
  }

  // (3) Delivered.
  ChannelPosition done_position = position;
  done_position.next_counter = end;
  done_position.pending_end = 0;
  if (!records.empty()) ++done_position.objects;
  StatusOr<uint64_t> committed = streams_.WriteMeta({key, EncodeChannelPosition(done_position), revision});
  if (!committed.ok()) {
    if (committed.status().code() != Errc::kConflict) Failed(committed.status().message());
    return false;
  }
  return true;
}

}  // namespace riffle::core
