// JetStreamStore: store::Store over the parts in this folder — a Connection,
// LogAdmin (log lifecycle), Appender (write path), Reader (read path),
// MetaStore and MetaWatcher (metadata), Ticks (append notifications),
// UsageChannel (rate-limit usage between nodes), and an
// Executor for the work that must not block callers.
#include "store/jetstream/jetstream_store.h"

#include <atomic>

#include "store/jetstream/appender.h"
#include "store/jetstream/connection.h"
#include "store/jetstream/executor.h"
#include "store/jetstream/log_admin.h"
#include "store/jetstream/meta_store.h"
#include "store/jetstream/meta_watcher.h"
#include "store/jetstream/names.h"
#include "store/jetstream/nats_status.h"
#include "store/jetstream/reader.h"
#include "store/jetstream/record_message.h"
#include "store/jetstream/ticks.h"
#include "store/jetstream/usage_channel.h"

namespace riffle::store::jetstream {
namespace {

Status Closed() { return Status::StorageError("store is closed"); }

class JetStreamStore final : public Store {
 public:
  explicit JetStreamStore(JetStreamOptions options) : options_(std::move(options)) {}
  ~JetStreamStore() override { Close(); }

  Status Open() {
    // Nothing is published asynchronously through the main connection.
    auto connection = Connection::Open(options_, [](natsMsg* msg, jsPubAck*, jsPubAckErr*) { natsMsg_Destroy(msg); });
    if (!connection.ok()) return connection.status();
    connection_ = std::move(*connection);
    // Record messages go through their own connection, whose answers every
    // node sees on its own (end_fences.h).
    auto publisher = Connection::Open(
        options_, [this](natsMsg* msg, jsPubAck* ack, jsPubAckErr* error) { appender_->OnAck(msg, ack, error); },
        AckInboxPrefix(options_.prefix));
    if (!publisher.ok()) return publisher.status();
    publisher_ = std::move(*publisher);
    RIFFLE_RETURN_IF_ERROR(Ready());
    executor_ = std::make_unique<Executor>(options_.threads);
    admin_ = std::make_unique<LogAdmin>(connection_.get(), options_);
    ticks_ = std::make_unique<Ticks>(connection_.get(), options_.prefix);
    usage_ = std::make_unique<UsageChannel>(connection_.get(), options_.prefix);
    fences_ = std::make_unique<EndFences>(publisher_.get(), executor_.get(), admin_.get(), options_);
    RIFFLE_RETURN_IF_ERROR(fences_->Start());
    appender_ = std::make_unique<Appender>(connection_.get(), publisher_.get(), executor_.get(), admin_.get(),
                                           fences_.get(), options_,
                                           [this](ShardKey shard) {
                                             if (append_observer_) append_observer_(shard);
                                           },
                                           [this](ShardKey shard) { ticks_->Publish(shard); });
    reader_ = std::make_unique<Reader>(connection_.get(), executor_.get(), admin_.get(), options_);
    meta_ = std::make_unique<MetaStore>(connection_.get(), options_);
    RIFFLE_RETURN_IF_ERROR(meta_->Open());
    watcher_ = std::make_unique<MetaWatcher>(meta_.get(), options_);
    return Status::Ok();
  }

  // --- metadata ---

  StatusOr<std::vector<MetaEntry>> ScanMeta(const std::string& prefix) override {
    if (closed_) return Closed();
    return meta_->Scan(prefix);
  }

  StatusOr<std::optional<MetaEntry>> GetMeta(const std::string& key, bool ephemeral) override {
    if (closed_) return Closed();
    return meta_->Get(key, ephemeral);
  }

  void WriteMeta(MetaWrite write, std::function<void(StatusOr<uint64_t>)> done) override {
    if (closed_) return done(Closed());
    executor_->Post([this, write = std::move(write), done = std::move(done)] {
      watcher_->BeginWrite(write.ephemeral, write.key);
      done(meta_->Write(write));
      watcher_->EndWrite(write.ephemeral, write.key);
    });
  }

  void SetMetaObserver(std::function<void(const MetaChange&)> observer) override {
    // Without a watcher SyncMeta has nothing to wait for; a failure to start
    // one shows in SyncMeta (kUnavailable) and Ready.
    watcher_status_ = watcher_->Start(std::move(observer));
  }

  Status SyncMeta() override {
    if (closed_) return Closed();
    RIFFLE_RETURN_IF_ERROR(watcher_status_);
    return watcher_->Sync();
  }

  // --- record logs ---

  Status CreateLog(ShardKey shard, const LogOptions& options) override {
    if (closed_) return Closed();
    return admin_->Create(shard, options);
  }

  StatusOr<uint64_t> SealLog(ShardKey shard) override {
    if (closed_) return Closed();
    return admin_->Seal(shard);
  }

  Status DropLog(ShardKey shard) override {
    if (closed_) return Closed();
    reader_->Forget(shard);
    return admin_->Drop(shard);
  }

  StatusOr<std::vector<LogInfo>> ListLogs() override {
    if (closed_) return Closed();
    return admin_->List();
  }

  void Append(std::vector<AppendBatch> batches, std::function<void(std::vector<AppendResult>)> done) override {
    if (closed_) {
      std::vector<AppendResult> results(batches.size());
      for (size_t i = 0; i < batches.size(); ++i) {
        results[i].counters.assign(batches[i].entries.size(), 0);
        results[i].arrival_ms = batches[i].arrival_ms;
        results[i].error = Closed();
      }
      return done(std::move(results));
    }
    appender_->Append(std::move(batches), std::move(done));
  }

  void Read(ShardKey shard, uint64_t from, ReadLimits limits,
            std::function<void(StatusOr<LogRead>)> done) override {
    if (closed_) return done(Closed());
    reader_->Read(shard, from, limits, std::move(done));
  }

  void Bounds(ShardKey shard, std::function<void(StatusOr<LogBounds>)> done) override {
    if (closed_) return done(Closed());
    executor_->Post([this, shard, done = std::move(done)] { done(admin_->Bounds(shard)); });
  }

  void FindByArrival(ShardKey shard, int64_t ms, std::function<void(StatusOr<uint64_t>)> done) override {
    if (closed_) return done(Closed());
    executor_->Post([this, shard, ms, done = std::move(done)] { done(reader_->FindByArrival(shard, ms)); });
  }

  StatusOr<uint64_t> TrimBefore(ShardKey shard, int64_t cutoff_ms) override {
    if (closed_) return Closed();
    auto first = admin_->TrimBefore(shard, cutoff_ms,
                                    [this](ShardKey s, int64_t ms) { return reader_->FindByArrival(s, ms); });
    // Pooled consumers may hold messages fetched before the trim.
    reader_->Forget(shard);
    return first;
  }

  void SetAppendObserver(std::function<void(ShardKey)> observer) override {
    append_observer_ = observer;
    ticks_->SetObserver(std::move(observer));
  }

  void WatchAppends(ShardKey shard, bool watch) override {
    if (!closed_) ticks_->Watch(shard, watch);
  }

  bool Shared() const override { return true; }

  void ShareUsage(std::string report) override {
    if (!closed_) usage_->Publish(report);
  }

  void SetUsageObserver(std::function<void(std::string_view)> observer) override {
    if (usage_) usage_->SetObserver(std::move(observer));
  }

  uint64_t MaxRecordBytes() const override { return MaxRecordBytesFor(connection_->max_payload()); }

  Status Ready() override {
    if (closed_) return Closed();
    if (!connection_->connected()) return Status::Unavailable("not connected to NATS");
    jsAccountInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetAccountInfo(&info, connection_->js(), nullptr, &code);
    jsAccountInfo_Destroy(info);
    if (s != NATS_OK) {
      Status st = FromNats(s, code, "JetStream does not answer");
      return st.code() == Errc::kStorageError ? Status::Unavailable(st.message()) : st;
    }
    return Status::Ok();
  }

  void Close() override {
    if (closed_.exchange(true)) return;
    if (appender_) appender_->Drain();
    if (executor_) executor_->Drain();
    if (watcher_) watcher_->Stop();
    // Nothing calls back into the parts once the connection is gone.
    reader_.reset();
    ticks_.reset();
    watcher_.reset();
    meta_.reset();
    publisher_.reset();
    connection_.reset();
    appender_.reset();
    fences_.reset();
    usage_.reset();
  }

 private:
  const JetStreamOptions options_;
  std::atomic<bool> closed_{false};
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<Connection> publisher_;  // record messages (end_fences.h)
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<LogAdmin> admin_;
  std::unique_ptr<EndFences> fences_;
  std::unique_ptr<Ticks> ticks_;
  std::unique_ptr<UsageChannel> usage_;
  std::unique_ptr<Appender> appender_;
  std::unique_ptr<Reader> reader_;
  std::unique_ptr<MetaStore> meta_;
  std::unique_ptr<MetaWatcher> watcher_;
  Status watcher_status_ = Status::Ok();
  std::function<void(ShardKey)> append_observer_;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> Open(const JetStreamOptions& options) {
  if (!ValidPrefix(options.prefix)) return Status::InvalidArgument("invalid NATS prefix: " + options.prefix);
  if (options.replicas < 1 || options.replicas > 5) {
    return Status::InvalidArgument("NATS replicas must be between 1 and 5");
  }
  auto store = std::make_unique<JetStreamStore>(options);
  RIFFLE_RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace riffle::store::jetstream
