#include "app/stream_metrics.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "app/logging.h"

namespace riffle::app {
namespace {

using M = handlers::TrafficMeter;

void Family(std::string& out, const std::string& name, const char* type, const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string StreamLabels(const M::StreamTotals& t) {
  return "account=" + JsonQuote(t.account) + ",region=" + JsonQuote(t.region) + ",stream=" + JsonQuote(t.name);
}

std::string Seconds(uint64_t us) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", static_cast<double>(us) / 1e6);
  return text;
}

struct Column {
  const char* name;
  M::Metric metric;
  const char* help;
};

// Per stream ("PutRecord.Bytes" as kinesis_PutRecord_Bytes).
constexpr Column kStreamColumns[] = {
    {"kinesis_IncomingBytes", M::kIncomingBytes, "Bytes (data and partition keys) put into the stream."},
    {"kinesis_IncomingRecords", M::kIncomingRecords, "Records put into the stream."},
    {"kinesis_OutgoingBytes", M::kOutgoingBytes, "Bytes read from the stream (GetRecords and SubscribeToShard events)."},
    {"kinesis_OutgoingRecords", M::kOutgoingRecords,
     "Records read from the stream (GetRecords and SubscribeToShard events)."},
    {"kinesis_PutRecord_Success", M::kPutRecordSuccess, "Successful PutRecord calls."},
    {"kinesis_PutRecord_Bytes", M::kPutRecordBytes, "Bytes put with PutRecord."},
    {"kinesis_PutRecords_Success", M::kPutRecordsSuccess,
     "PutRecords calls answered 200 (some of their records may have failed)."},
    {"kinesis_PutRecords_Bytes", M::kPutRecordsBytes, "Bytes stored with PutRecords."},
    {"kinesis_PutRecords_TotalRecords", M::kPutRecordsTotalRecords, "Records sent in PutRecords calls answered 200."},
    {"kinesis_PutRecords_SuccessfulRecords", M::kPutRecordsSuccessfulRecords, "Records PutRecords stored."},
    {"kinesis_PutRecords_FailedRecords", M::kPutRecordsFailedRecords,
     "Records PutRecords did not store for an internal failure."},
    {"kinesis_PutRecords_ThrottledRecords", M::kPutRecordsThrottledRecords,
     "Records PutRecords refused with ProvisionedThroughputExceededException."},
    {"kinesis_GetRecords_Success", M::kGetRecordsSuccess, "Successful GetRecords calls."},
    {"kinesis_GetRecords_Records", M::kGetRecordsRecords, "Records GetRecords returned."},
    {"kinesis_GetRecords_Bytes", M::kGetRecordsBytes, "Bytes GetRecords returned."},
    {"kinesis_WriteProvisionedThroughputExceeded", M::kWriteProvisionedThroughputExceeded,
     "PutRecord calls and PutRecords records refused for the shards' write limits."},
    {"kinesis_ReadProvisionedThroughputExceeded", M::kReadProvisionedThroughputExceeded,
     "GetRecords calls refused for the shards' read limits."},
    {"kinesis_SubscribeToShard_Success", M::kSubscribeToShardSuccess, "Subscriptions started."},
    {"kinesis_SubscribeToShard_RateExceeded", M::kSubscribeToShardRateExceeded,
     "Subscriptions refused: the consumer already reads the shard, or subscribed within the last 5 s."},
    {"kinesis_SubscribeToShardEvent_Success", M::kSubscribeToShardEventSuccess, "Events sent to subscribers."},
    {"kinesis_SubscribeToShardEvent_Records", M::kSubscribeToShardEventRecords, "Records sent to subscribers."},
    {"kinesis_SubscribeToShardEvent_Bytes", M::kSubscribeToShardEventBytes, "Bytes sent to subscribers."},
    {"kinesis_GetRecords_IteratorAgeMilliseconds", M::kGetRecordsIteratorAgeMs,
     "Age of the last record the last GetRecords call returned (0 when it returned none)."},
    {"kinesis_SubscribeToShardEvent_MillisBehindLatest", M::kSubscribeToShardEventMillisBehindLatest,
     "How far behind the tip of its shard the last event sent was."},
};

// Per shard, under the names Kinesis's shard-level metrics have (the names
// EnableEnhancedMonitoring takes), shown only where enabled.
struct ShardColumn {
  const char* kinesis_name;
  M::Metric metric;
  const char* help;
};
constexpr ShardColumn kShardColumns[] = {
    {"IncomingBytes", M::kIncomingBytes, "Bytes put into the shard."},
    {"IncomingRecords", M::kIncomingRecords, "Records put into the shard."},
    {"OutgoingBytes", M::kOutgoingBytes, "Bytes read from the shard (GetRecords and SubscribeToShard events)."},
    {"OutgoingRecords", M::kOutgoingRecords, "Records read from the shard (GetRecords and SubscribeToShard events)."},
    {"IteratorAgeMilliseconds", M::kGetRecordsIteratorAgeMs,
     "Age of the last record the last GetRecords call on the shard returned (0 when it returned none)."},
    {"ReadProvisionedThroughputExceeded", M::kReadProvisionedThroughputExceeded,
     "GetRecords calls on the shard refused for its read limits."},
    {"WriteProvisionedThroughputExceeded", M::kWriteProvisionedThroughputExceeded,
     "Records refused for the shard's write limits."},
};

struct Latency {
  const char* name;
  M::Metric sum_us, count;
  const char* help;
};
constexpr Latency kLatencies[] = {
    {"kinesis_PutRecord_Latency", M::kPutRecordLatencyUs, M::kPutRecordSuccess,
     "Milliseconds successful PutRecord calls took."},
    {"kinesis_PutRecords_Latency", M::kPutRecordsLatencyUs, M::kPutRecordsSuccess,
     "Milliseconds PutRecords calls answered 200 took."},
    {"kinesis_GetRecords_Latency", M::kGetRecordsLatencyUs, M::kGetRecordsSuccess,
     "Milliseconds successful GetRecords calls took."},
};

void AppendHistogram(std::string& out, const std::string& name, const char* help,
                     const LatencyHistogram::Snapshot& h) {
  Family(out, name, "histogram", help);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < LatencyHistogram::kBoundsUs.size(); ++i) {
    cumulative += h.buckets[i];
    out += name + "_bucket{le=\"" + Seconds(LatencyHistogram::kBoundsUs[i]) + "\"} " + std::to_string(cumulative) +
           "\n";
  }
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  out += name + "_sum " + Seconds(h.sum_us) + "\n";
  out += name + "_count " + std::to_string(h.count) + "\n";
}

}  // namespace

void AppendStreamMetrics(std::string& out, const std::vector<M::StreamTotals>& totals,
                         const core::StreamService& streams) {
  // The stream-level entries and the shard entries of existing streams, each
  // shard with the metrics its stream enabled.
  std::vector<const M::StreamTotals*> stream_rows;
  std::vector<std::pair<const M::StreamTotals*, const std::vector<std::string>*>> shard_rows;
  std::map<std::tuple<std::string, std::string, std::string>, std::optional<std::vector<std::string>>> enabled;
  for (const M::StreamTotals& t : totals) {
    auto key = std::make_tuple(t.account, t.region, t.name);
    auto found = enabled.find(key);
    if (found == enabled.end()) {
      found = enabled.emplace(key, streams.EnabledShardMetrics(core::StreamAddress{t.account, t.region, t.name}))
                  .first;
    }
    if (!found->second) continue;  // deleted: its series go at once
    if (t.shard.empty()) {
      stream_rows.push_back(&t);
    } else if (!found->second->empty()) {
      shard_rows.emplace_back(&t, &*found->second);
    }
  }
  for (const Column& column : kStreamColumns) {
    Family(out, column.name, M::IsGauge(column.metric) ? "gauge" : "counter", column.help);
    for (const M::StreamTotals* t : stream_rows) {
      out += std::string(column.name) + "{" + StreamLabels(*t) + "} " + std::to_string((*t)[column.metric]) + "\n";
    }
  }
  // Latency as summaries in milliseconds: _sum over the _count successful calls.
  for (const Latency& latency : kLatencies) {
    Family(out, latency.name, "summary", latency.help);
    for (const M::StreamTotals* t : stream_rows) {
      char sum[32];
      std::snprintf(sum, sizeof sum, "%.3f", static_cast<double>((*t)[latency.sum_us]) / 1000.0);
      out += std::string(latency.name) + "_sum{" + StreamLabels(*t) + "} " + sum + "\n";
      out += std::string(latency.name) + "_count{" + StreamLabels(*t) + "} " + std::to_string((*t)[latency.count]) +
             "\n";
    }
  }
  for (const ShardColumn& column : kShardColumns) {
    const std::string name = std::string("kinesis_shard_") + column.kinesis_name;
    Family(out, name, M::IsGauge(column.metric) ? "gauge" : "counter",
           std::string(column.help) + " Shown for streams that enabled " + column.kinesis_name +
               " with EnableEnhancedMonitoring.");
    for (const auto& [t, metrics] : shard_rows) {
      if (std::find(metrics->begin(), metrics->end(), column.kinesis_name) == metrics->end()) continue;
      out += name + "{" + StreamLabels(*t) + ",shard=" + JsonQuote(t->shard) + "} " +
             std::to_string((*t)[column.metric]) + "\n";
    }
  }
}

void AppendDiskUsage(std::string& out, const std::vector<core::StreamService::StreamBytes>& usage) {
  if (usage.empty()) return;
  Family(out, "riffle_stream_disk_bytes", "gauge",
         "Approximate bytes the stream's records take in the store (closed shards included).");
  for (const auto& stream : usage) {
    const core::StreamAddress& a = stream.address;
    out += "riffle_stream_disk_bytes{account=" + JsonQuote(a.account_id) + ",region=" + JsonQuote(a.region) +
           ",stream=" + JsonQuote(a.name) + "} " + std::to_string(stream.bytes) + "\n";
  }
}

void AppendStoreMetrics(std::string& out, const std::optional<store::Store::WriteStats>& stats) {
  if (!stats) return;
  AppendHistogram(out, "riffle_store_write_duration_seconds",
                  "Time of each store write (a group of appends and metadata changes; with the sync under --sync "
                  "always).",
                  stats->writes);
  AppendHistogram(out, "riffle_store_sync_duration_seconds", "Time of each sync that made store writes durable.",
                  stats->syncs);
  Family(out, "riffle_store_write_stalls_total", "counter",
         "Store writes that waited for the store to accept writes again (flushes or compactions behind).");
  out += "riffle_store_write_stalls_total " + std::to_string(stats->stalls) + "\n";
  Family(out, "riffle_store_write_stall_seconds_total", "counter", "Time store writes waited out stalls.");
  out += "riffle_store_write_stall_seconds_total " + Seconds(stats->stall_us) + "\n";
  Family(out, "riffle_store_failed_writes_total", "counter", "Store writes that failed (disk full or failing).");
  out += "riffle_store_failed_writes_total " + std::to_string(stats->failed_writes) + "\n";
}

}  // namespace riffle::app
