// riffle-bench's lanes: each a chain of asynchronous calls on the run's
// client, one in flight at a time; see bench_run.h.
#include <algorithm>
#include <memory>
#include <random>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "bench_run.h"
#include "client/client_codec.h"  // the library's request encoder, for bodies built once
#include "client/sigv4.h"         // Sha256Hex, for their payload hashes
#include "protocol/base64.h"
#include "records_scan.h"

namespace riffle::bench {

namespace asio = boost::asio;
using kinesis::RawResponse;
using kinesis::Result;

namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(rng() & 0xFF);
  return out;
}

std::string RandomKey(std::mt19937_64& rng) { return fmt::format("pk-{:016x}", rng()); }

std::string StreamField(const Options& o) { return o.stream; }

// Runs `fn` at `when` on the run's timer thread.
void At(Run& run, Clock::time_point when, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(run.timers, when);
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code&) { fn(); });
}

struct PreparedBody {
  std::shared_ptr<const std::string> body;
  std::string hash;
  uint64_t records = 0;
};

// put-record / put-records: closed loop over a pool of bodies built (and
// hashed) once.
class PutLane : public std::enable_shared_from_this<PutLane> {
 public:
  PutLane(Run& run, Lane& lane, int index) : run_(run), lane_(lane) {
    const Options& o = run.options;
    std::mt19937_64 rng(0x5eed + index);
    batch_ = o.scenario == "put-records";
    const size_t body_estimate = (o.record_size * 4 / 3 + 48) * (batch_ ? o.batch : 1);
    size_t pool_size = std::clamp<size_t>((64u << 20) / std::max<size_t>(1, body_estimate * o.connections), 1, 16);
    for (size_t n = 0; n < pool_size; ++n) {
      PreparedBody p;
      std::string body;
      if (batch_) {
        kinesis::PutRecordsInput in;
        in.StreamName = StreamField(o);
        auto& records = in.Records.emplace();
        for (int i = 0; i < o.batch; ++i) {
          kinesis::PutRecordsRequestEntry e;
          e.Data = RandomBytes(rng, o.record_size);
          e.PartitionKey = RandomKey(rng);
          records.push_back(std::move(e));
        }
        body = kinesis::codec::EncodeJson(in);
        p.records = o.batch;
      } else {
        kinesis::PutRecordInput in;
        in.StreamName = StreamField(o);
        in.PartitionKey = RandomKey(rng);
        in.Data = RandomBytes(rng, o.record_size);
        body = kinesis::codec::EncodeJson(in);
        p.records = 1;
      }
      p.hash = kinesis::internal::Sha256Hex(body);
      p.body = std::make_shared<const std::string>(std::move(body));
      pool_.push_back(std::move(p));
    }
  }

  void Next() {
    if (run_.Stopping() || Clock::now() >= run_.deadline) {
      run_.LaneFinished(lane_);
      return;
    }
    const PreparedBody& p = pool_[i_++ % pool_.size()];
    const int64_t t0 = NowNs();
    run_.client->SendAsync(
        batch_ ? "PutRecords" : "PutRecord", p.body,
        [self = shared_from_this(), &p, t0](Result<RawResponse> r) { self->Done(p, t0, std::move(r)); }, p.hash);
  }

 private:
  void Done(const PreparedBody& p, int64_t t0, Result<RawResponse> r) {
    const int64_t t1 = NowNs();
    if (!r.ok()) {
      CountError(lane_, ErrorLabel(r.error()));
      if (r.error().http_status() == 0) {  // transport: breathe before the next attempt
        At(run_, Clock::now() + std::chrono::milliseconds(10), [self = shared_from_this()] { self->Next(); });
        return;
      }
      Next();
      return;
    }
    uint64_t failed = 0;
    if (batch_ && !run_.options.no_setup) {
      failed = p.records;
      if (size_t at = r->body.find("\"FailedRecordCount\":"); at != std::string::npos) {
        failed = std::strtoull(r->body.c_str() + at + 20, nullptr, 10);
      }
    }
    if (failed > 0) {
      Counters::Add(lane_.counters.errors, failed);
      std::lock_guard lock(lane_.errors_mutex);
      lane_.error_types["PutRecords FailedRecordCount (records)"] += failed;
    }
    lane_.latencies_ns.push_back(t1 - t0);
    Counters::Add(lane_.counters.requests, 1);
    Counters::Add(lane_.counters.records, p.records - failed);
    Counters::Add(lane_.counters.bytes, (p.records - failed) * run_.options.record_size);
    Next();
  }

  Run& run_;
  Lane& lane_;
  bool batch_ = false;
  std::vector<PreparedBody> pool_;
  size_t i_ = 0;
};

std::string GetRecordsBody(const std::string& iterator, int limit) {
  kinesis::GetRecordsInput in;
  in.ShardIterator = iterator;
  in.Limit = limit;
  return kinesis::codec::EncodeJson(in);
}

// get-records: drains the shard from TRIM_HORIZON to the tip, then starts over.
class GetLane : public std::enable_shared_from_this<GetLane> {
 public:
  GetLane(Run& run, Lane& lane, int index)
      : run_(run), lane_(lane), shard_(run.shard_ids[index % run.shard_ids.size()]) {}

  void Next() {
    if (run_.Stopping() || Clock::now() >= run_.deadline) {
      run_.LaneFinished(lane_);
      return;
    }
    if (iterator_.empty()) {
      kinesis::GetShardIteratorInput in;
      in.StreamName = run_.options.stream;
      in.ShardId = shard_;
      in.ShardIteratorType = "TRIM_HORIZON";
      run_.client->GetShardIteratorAsync(in, [self = shared_from_this()](Result<kinesis::GetShardIteratorOutput> r) {
        if (!r.ok() || !r->ShardIterator) {
          CountError(self->lane_, r.ok() ? "GetShardIterator: no iterator" : ErrorLabel(r.error()));
          self->Retry();
          return;
        }
        self->iterator_ = *r->ShardIterator;
        self->Next();
      });
      return;
    }
    const int64_t t0 = NowNs();
    run_.client->SendAsync("GetRecords", GetRecordsBody(iterator_, run_.options.limit),
                           [self = shared_from_this(), t0](Result<RawResponse> r) { self->Done(t0, std::move(r)); });
  }

 private:
  void Retry() {
    iterator_.clear();
    At(run_, Clock::now() + std::chrono::milliseconds(10), [self = shared_from_this()] { self->Next(); });
  }

  void Done(int64_t t0, Result<RawResponse> r) {
    const int64_t t1 = NowNs();
    if (!r.ok()) {
      CountError(lane_, ErrorLabel(r.error()));
      Retry();
      return;
    }
    auto page = ScanGetRecords(r->body);
    if (!page) {
      CountError(lane_, "GetRecords: unreadable response");
      Retry();
      return;
    }
    lane_.latencies_ns.push_back(t1 - t0);
    Counters::Add(lane_.counters.requests, 1);
    Counters::Add(lane_.counters.records, page->records);
    Counters::Add(lane_.counters.bytes, page->data_bytes);
    if (page->records == 0 || !page->next_shard_iterator) {
      iterator_.clear();  // at the tip: start over
    } else {
      iterator_ = std::move(*page->next_shard_iterator);
    }
    Next();
  }

  Run& run_;
  Lane& lane_;
  const std::string shard_;
  std::string iterator_;
};

// produce-consume producer: PutRecord at rate/connections per second, each
// record carrying its send time (steady clock ns) in its first 8 bytes. Open
// loop while the server keeps up; when it does not, sends back to back (one
// in flight) until the deadline.
class ProducerLane : public std::enable_shared_from_this<ProducerLane> {
 public:
  ProducerLane(Run& run, Lane& lane, int index) : run_(run), lane_(lane) {
    const Options& o = run.options;
    std::mt19937_64 rng(0xfeed + index);
    for (int i = 0; i < 64; ++i) keys_.push_back(RandomKey(rng));
    data_ = RandomBytes(rng, std::max<size_t>(o.record_size, 9));
    interval_ = std::chrono::nanoseconds(static_cast<int64_t>(1e9 * o.connections / std::max(o.rate, 0.001)));
    next_ = run.start + interval_ * index / o.connections;
  }

  void Next() {
    if (run_.Stopping() || next_ >= run_.deadline || Clock::now() >= run_.deadline) {
      run_.LaneFinished(lane_);
      return;
    }
    if (next_ > Clock::now()) {
      At(run_, next_, [self = shared_from_this()] { self->Send(); });
    } else {
      Send();
    }
  }

 private:
  void Send() {
    next_ += interval_;
    const int64_t t0 = NowNs();
    std::memcpy(data_.data(), &t0, sizeof(t0));
    kinesis::PutRecordInput in;
    in.StreamName = run_.options.stream;
    in.PartitionKey = keys_[i_++ % keys_.size()];
    in.Data = data_;
    run_.client->SendAsync("PutRecord", kinesis::codec::EncodeJson(in),
                           [self = shared_from_this(), t0](Result<RawResponse> r) {
                             const int64_t t1 = NowNs();
                             if (!r.ok()) {
                               CountError(self->lane_, ErrorLabel(r.error()));
                             } else {
                               Lane& l = self->lane_;
                               l.latencies_ns.push_back(t1 - t0);
                               if (self->run_.options.via == "subscribe") l.put_spans.emplace_back(t0, t1);
                               Counters::Add(l.counters.requests, 1);
                               Counters::Add(l.counters.records, 1);
                               Counters::Add(l.counters.bytes, self->data_.size());
                             }
                             self->Next();
                           });
  }

  Run& run_;
  Lane& lane_;
  std::vector<std::string> keys_;
  std::string data_;
  std::chrono::nanoseconds interval_;
  Clock::time_point next_;
  size_t i_ = 0;
};

// produce-consume consumer: polls one shard from a LATEST iterator taken
// before producing started; sleeps --poll-ms only after an empty page.
class ConsumerLane : public std::enable_shared_from_this<ConsumerLane> {
 public:
  ConsumerLane(Run& run, Lane& lane, int shard) : run_(run), lane_(lane), iterator_(run.start_iterators[shard]) {}

  void Next() {
    const auto stop_at = run_.deadline + std::chrono::seconds(2);  // let the last puts arrive
    if (run_.Stopping() || Clock::now() >= stop_at || iterator_.empty()) {
      run_.LaneFinished(lane_);
      return;
    }
    run_.read_client->SendAsync("GetRecords", GetRecordsBody(iterator_, run_.options.limit),
                                [self = shared_from_this()](Result<RawResponse> r) { self->Done(std::move(r)); });
  }

 private:
  void Later(std::chrono::milliseconds wait) {
    At(run_, Clock::now() + wait, [self = shared_from_this()] { self->Next(); });
  }

  void Done(Result<RawResponse> r) {
    const int64_t seen = NowNs();
    const auto poll = std::chrono::milliseconds(std::max(run_.options.poll_ms, 1));
    if (!r.ok()) {
      CountError(lane_, "consumer " + ErrorLabel(r.error()));
      Later(poll);
      return;
    }
    size_t n = 0;
    auto page = ScanGetRecords(r->body, [&](std::string_view data) {
      if (data.size() < 12) return;
      auto head = protocol::Base64Decode(data.substr(0, 12));
      if (!head) return;
      if (auto sent = SentTime(*head)) {
        lane_.e2e_ns.push_back(seen - *sent);
        ++n;
      }
    });
    if (!page) {
      CountError(lane_, "consumer: unreadable GetRecords response");
      Next();
      return;
    }
    Counters::Add(lane_.counters.consumed, n);
    iterator_ = page->next_shard_iterator.value_or("");
    if (page->records == 0 && run_.options.poll_ms > 0) {
      Later(poll);
    } else {
      Next();
    }
  }

  Run& run_;
  Lane& lane_;
  std::string iterator_;
};

}  // namespace

void StartPutLane(Run& run, Lane& lane, int index) {
  run.LaneStarted();
  std::make_shared<PutLane>(run, lane, index)->Next();
}

void StartGetLane(Run& run, Lane& lane, int index) {
  run.LaneStarted();
  std::make_shared<GetLane>(run, lane, index)->Next();
}

void StartProducerLane(Run& run, Lane& lane, int index) {
  run.LaneStarted();
  std::make_shared<ProducerLane>(run, lane, index)->Next();
}

void StartConsumerLane(Run& run, Lane& lane, int shard) {
  run.LaneStarted();
  std::make_shared<ConsumerLane>(run, lane, shard)->Next();
}

}  // namespace riffle::bench
