#include "app/admin.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>

#include "app/logging.h"
#include "app/version.h"

namespace riffle::app {
namespace {

// Resident set size in bytes (from /proc/self/statm), 0 when unknown.
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void Family(std::string& out, const std::string& name, const char* type, const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Admin::Admin(const ServeConfig& config, store::Store& store, const handlers::TrafficMeter& traffic,
             const net::RequestMetrics& requests, const net::HttpServer& api)
    : config_(config),
      store_(store),
      traffic_(traffic),
      requests_(requests),
      api_(api),
      router_(net::AdminHooks{[this] { return NotReady(); }, [this](std::string& out) { out += Metrics(); },
                              [this](const std::string& dir) { return Backup(dir); }}) {}

Status Admin::Backup(const std::string& dir) {
  if (!config_.nats_urls.empty()) {
    return Status::Validation("a cluster node keeps no data of its own: back up NATS JetStream instead");
  }
  Status made = store_.Checkpoint(dir);
  if (made.ok()) spdlog::info("backup written to {}", dir);
  return made;
}

Admin::~Admin() { Stop(); }

Status Admin::Start() {
  net::ServerOptions options;
  options.host = config_.admin_host;
  options.port = static_cast<uint16_t>(config_.admin_port);
  options.threads = 1;
  options.max_connections = 64;
  options.max_body_bytes = 64 * 1024;
  server_ = std::make_unique<net::HttpServer>(options, router_);
  Status started = server_->Start();
  return started;
}

uint16_t Admin::port() const { return server_ ? server_->port() : 0; }

void Admin::Stop() {
  if (server_) server_->Stop(1000);
}

std::string Admin::NotReady() const {
  if (shutting_down_.load()) return "shutting down";
  Status ready = store_.Ready();
  if (!ready.ok()) return (config_.nats_urls.empty() ? "store: " : "cluster: ") + ready.message();
  return "";
}

std::string Admin::Metrics() const {
  std::string out;
  Family(out, "riffle_build_info", "gauge", "The running build (always 1).");
  out += "riffle_build_info{version=" + JsonQuote(VersionLine()) + "} 1\n";
  Family(out, "riffle_ready", "gauge", "1 when /health/ready answers 200.");
  out += std::string("riffle_ready ") + (NotReady().empty() ? "1" : "0") + "\n";
  Family(out, "riffle_open_connections", "gauge", "Open API connections.");
  out += "riffle_open_connections " + std::to_string(api_.open_connections()) + "\n";
  Family(out, "riffle_requests_in_flight", "gauge", "API requests being handled (SubscribeToShard included).");
  out += "riffle_requests_in_flight " + std::to_string(api_.in_flight()) + "\n";
  Family(out, "riffle_resident_memory_bytes", "gauge", "Resident set size of the process.");
  out += "riffle_resident_memory_bytes " + std::to_string(ResidentBytes()) + "\n";
  requests_.AppendPrometheus(out);

  // Per stream, with Kinesis's CloudWatch metric names ("PutRecord.Bytes"
  // as kinesis_PutRecord_Bytes; docs/operations.md).
  using M = handlers::TrafficMeter;
  const auto totals = traffic_.Totals();
  struct Column {
    const char* name;
    M::Metric metric;
    const char* help;
  };
  static constexpr Column kColumns[] = {
      {"kinesis_IncomingBytes", M::kIncomingBytes, "Bytes (data and partition keys) put into the stream."},
      {"kinesis_IncomingRecords", M::kIncomingRecords, "Records put into the stream."},
      {"kinesis_OutgoingBytes", M::kOutgoingBytes,
       "Bytes read from the stream (GetRecords and SubscribeToShard events)."},
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
  auto labels = [](const M::StreamTotals& stream) {
    return "{account=" + JsonQuote(stream.account) + ",region=" + JsonQuote(stream.region) +
           ",stream=" + JsonQuote(stream.name) + "}";
  };
  for (const Column& column : kColumns) {
    Family(out, column.name, M::IsGauge(column.metric) ? "gauge" : "counter", column.help);
    for (const auto& stream : totals) {
      out += std::string(column.name) + labels(stream) + " " + std::to_string(stream[column.metric]) + "\n";
    }
  }
  // Latency as summaries in milliseconds: _sum over the _count successful calls.
  struct Latency {
    const char* name;
    M::Metric sum_us, count;
    const char* help;
  };
  static constexpr Latency kLatencies[] = {
      {"kinesis_PutRecord_Latency", M::kPutRecordLatencyUs, M::kPutRecordSuccess,
       "Milliseconds successful PutRecord calls took."},
      {"kinesis_PutRecords_Latency", M::kPutRecordsLatencyUs, M::kPutRecordsSuccess,
       "Milliseconds PutRecords calls answered 200 took."},
      {"kinesis_GetRecords_Latency", M::kGetRecordsLatencyUs, M::kGetRecordsSuccess,
       "Milliseconds successful GetRecords calls took."},
  };
  for (const Latency& latency : kLatencies) {
    Family(out, latency.name, "summary", latency.help);
    for (const auto& stream : totals) {
      char sum[32];
      std::snprintf(sum, sizeof sum, "%.3f", static_cast<double>(stream[latency.sum_us]) / 1000.0);
      out += std::string(latency.name) + "_sum" + labels(stream) + " " + sum + "\n";
      out += std::string(latency.name) + "_count" + labels(stream) + " " + std::to_string(stream[latency.count]) +
             "\n";
    }
  }
  return out;
}

}  // namespace riffle::app
