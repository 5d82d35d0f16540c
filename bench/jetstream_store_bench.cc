// riffle-jetstream-bench: the JetStream store against raw JetStream on a
// local 3-node nats-server cluster with replicas 3 (started by the program).
// Not a test: prints MB/s and records/s of
//   - Append of 500 x 1 KiB batches through the store, and raw
//     js_PublishAsync of the same payload bytes;
//   - Append of single 1 KiB records through the store, and raw
//     js_PublishAsync of the same bytes;
//   - a sequential Read drain through the store, and a raw pull consumer
//     draining the same stream.
// Usage: riffle-jetstream-bench [seconds per scenario, default 5]
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "store/codec/batch_codec.h"
#include "store/jetstream/jetstream_store.h"
#include "store/jetstream/names.h"
#include "store/jetstream/testing/nats_cluster.h"

using namespace riffle;
using namespace riffle::store;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Keeps `window` operations in flight for `seconds`; `start(done)` starts one.
struct Window {
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  void Run(int window, double seconds, const std::function<void(std::function<void()>)>& start) {
    auto t0 = std::chrono::steady_clock::now();
    while (Seconds(t0) < seconds) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight < window; });
        ++in_flight;
      }
      start([this] {
        std::lock_guard<std::mutex> lock(mu);
        --in_flight;
        cv.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
};

void Report(const char* what, uint64_t records, uint64_t bytes, double seconds) {
  std::printf("%-44s %9.0f records/s %8.1f MB/s\n", what, records / seconds, bytes / seconds / 1e6);
  std::fflush(stdout);
}

std::vector<AppendEntry> Entries(int n) {
  std::vector<AppendEntry> e;
  for (int i = 0; i < n; ++i) e.push_back({"partition-" + std::to_string(i % 10), std::string(1024, 'r')});
  return e;
}

uint64_t StoreAppend(Store& store, ShardKey shard, int per_batch, int window, double seconds, const char* what) {
  const auto entries = Entries(per_batch);
  std::atomic<uint64_t> records{0}, bytes{0};
  Window w;
  auto t0 = std::chrono::steady_clock::now();
  w.Run(window, seconds, [&](std::function<void()> done) {
    std::vector<AppendBatch> batch(1);
    batch[0] = {shard, 1, entries};
    store.Append(std::move(batch), [&, done](std::vector<AppendResult> r) {
      if (r[0].error.ok()) {
        records += r[0].counters.size();
        bytes += r[0].counters.size() * (1024 + 11);
      }
      done();
    });
  });
  Report(what, records, bytes, Seconds(t0));
  return records;
}

void RawPublish(natsConnection* nc, const std::string& subject, int per_batch, int window, double seconds,
                const char* what) {
  std::string payload;
  if (!codec::EncodeBatch(1, Entries(per_batch), &payload).ok()) std::abort();
  struct Counter {
    std::atomic<uint64_t> acked{0};
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
  } counter;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.AckHandler = [](jsCtx*, natsMsg* m, jsPubAck* pa, jsPubAckErr*, void* closure) {
    auto* c = static_cast<Counter*>(closure);
    if (pa != nullptr) ++c->acked;
    natsMsg_Destroy(m);
    std::lock_guard<std::mutex> lock(c->mu);
    --c->in_flight;
    c->cv.notify_all();
  };
  jo.PublishAsync.AckHandlerClosure = &counter;
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, &jo);
  auto t0 = std::chrono::steady_clock::now();
  uint64_t n = 0;
  while (Seconds(t0) < seconds) {
    {
      std::unique_lock<std::mutex> lock(counter.mu);
      counter.cv.wait(lock, [&] { return counter.in_flight < window; });
      ++counter.in_flight;
    }
    std::string id = "raw-" + std::to_string(++n);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    natsMsg* m = nullptr;
    natsMsg_Create(&m, subject.c_str(), nullptr, payload.data(), static_cast<int>(payload.size()));
    if (js_PublishMsgAsync(js, &m, &po) != NATS_OK) {
      natsMsg_Destroy(m);
      std::lock_guard<std::mutex> lock(counter.mu);
      --counter.in_flight;
    }
  }
  {
    std::unique_lock<std::mutex> lock(counter.mu);
    counter.cv.wait(lock, [&] { return counter.in_flight == 0; });
  }
  const double s = Seconds(t0);
  Report(what, counter.acked * per_batch, counter.acked * per_batch * (1024 + 11), s);
  jsCtx_Destroy(js);
}

void StoreDrain(Store& store, ShardKey shard, const char* what) {
  uint64_t from = 0, records = 0, bytes = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (true) {
    std::promise<StatusOr<LogRead>> p;
    store.Read(shard, from, {}, [&p](StatusOr<LogRead> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    if (!r.ok()) {
      std::printf("read failed: %s\n", r.status().message().c_str());
      return;
    }
    for (const Record& rec : r->records) bytes += rec.data.size() + rec.partition_key.size();
    records += r->records.size();
    from = r->next;
    if (r->at_end) break;
  }
  Report(what, records, bytes, Seconds(t0));
}

void RawDrain(natsConnection* nc, const std::string& stream, const std::string& subject, const char* what) {
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Config.DeliverPolicy = js_DeliverAll;
  so.Config.AckPolicy = js_AckNone;
  so.Config.MemoryStorage = true;
  so.Config.Replicas = 1;
  natsSubscription* sub = nullptr;
  if (js_PullSubscribe(&sub, js, subject.c_str(), nullptr, nullptr, &so, nullptr) != NATS_OK) std::abort();
  uint64_t records = 0, bytes = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (true) {
    natsMsgList list{};
    jsFetchRequest req;
    jsFetchRequest_Init(&req);
    req.Batch = 256;
    req.MaxBytes = 10 << 20;
    req.NoWait = true;
    req.Expires = 2000LL * 1000 * 1000;
    natsStatus s = natsSubscription_FetchRequest(&list, sub, &req);
    uint64_t pending = 1;
    for (int i = 0; i < list.Count; ++i) {
      codec::BatchReader reader;
      std::string_view payload(natsMsg_GetData(list.Msgs[i]), natsMsg_GetDataLength(list.Msgs[i]));
      if (reader.Init(payload).ok()) {
        std::string_view k, d;
        while (reader.Next(&k, &d)) {
          ++records;
          bytes += k.size() + d.size();
        }
      }
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, list.Msgs[i]) == NATS_OK) pending = meta->NumPending;
      jsMsgMetaData_Destroy(meta);
    }
    natsMsgList_Destroy(&list);
    if (s != NATS_OK || pending == 0) break;
  }
  Report(what, records, bytes, Seconds(t0));
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  jsCtx_Destroy(js);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  auto cluster = jetstream::testing::NatsCluster::Start({.servers = 3});
  if (!cluster.ok()) {
    std::fprintf(stderr, "starting nats-server: %s\n", cluster.status().message().c_str());
    return 1;
  }
  jetstream::JetStreamOptions options;
  options.urls = (*cluster)->urls();
  options.replicas = 3;
  auto opened = jetstream::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().message().c_str());
    return 1;
  }
  Store& store = **opened;
  natsConnection* nc = nullptr;
  if (natsConnection_ConnectTo(&nc, (*cluster)->url(0).c_str()) != NATS_OK) return 1;

  // Raw streams: the same configuration as a log (created through the store).
  ShardKey batches{1, 0}, singles{2, 0}, raw_batches{3, 0}, raw_singles{4, 0};
  for (ShardKey s : {batches, singles, raw_batches, raw_singles}) {
    if (!store.CreateLog(s, {}).ok()) return 1;
  }
  std::printf("R3, 3 local nats-server, %.0f s per scenario\n", seconds);
  StoreAppend(store, batches, 500, 16, seconds, "store Append 500 x 1 KiB");
  RawPublish(nc, jetstream::LogSubject("riffle", raw_batches), 500, 16, seconds, "raw js_PublishAsync 500 x 1 KiB");
  StoreAppend(store, singles, 1, 1024, seconds, "store Append 1 x 1 KiB");
  RawPublish(nc, jetstream::LogSubject("riffle", raw_singles), 1, 1024, seconds, "raw js_PublishAsync 1 x 1 KiB");
  StoreDrain(store, batches, "store Read drain (500-record messages)");
  RawDrain(nc, jetstream::LogStreamName("riffle", raw_batches), jetstream::LogSubject("riffle", raw_batches),
           "raw pull consumer drain (500-record messages)");
  StoreDrain(store, singles, "store Read drain (1-record messages)");
  RawDrain(nc, jetstream::LogStreamName("riffle", raw_singles), jetstream::LogSubject("riffle", raw_singles),
           "raw pull consumer drain (1-record messages)");
  natsConnection_Destroy(nc);
  store.Close();
  return 0;
}
