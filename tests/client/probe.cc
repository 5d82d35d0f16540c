// riffle-kinesis-probe: libriffle-kinesis driven by JSON lines, for the tests
// that set it beside other implementations (boto3, aws-kinesis-agg).
//
//   probe put ENDPOINT STREAM        stdin: {"partition_key","data"(base64)[,"explicit_hash_key"]} per line;
//                                    PutRecords (typed Client calls), 500 a call; stdout: {"shard_id","sequence_number"}
//   probe produce ENDPOINT STREAM [--aggregate] [--ttl-ms N]
//                                    the same lines through a Producer; stdout per line, in input order:
//                                    {"ok":true,"shard_id","sequence_number","sub_sequence_number","aggregated","attempts"}
//                                    or {"ok":false,"type","message"}; stderr: the producer's stats as JSON
//   probe read ENDPOINT STREAM [--raw]
//                                    every record (StreamReader, from the trim horizon; --raw: no de-aggregation):
//                                    {"shard_id","sequence_number","sub_sequence_number","aggregated",
//                                     "partition_key"[,"explicit_hash_key"],"data"(base64)}
//   probe aggregate                  stdin: user records as for put; stdout: one aggregated record's data, base64
//   probe deaggregate                stdin: {"data"(base64),"partition_key"} per Kinesis record; stdout: the user
//                                    records as for read
// Exit code 0 on success; 1 with the error on stderr.
#include <simdjson.h>

#include <cstdio>
#include <future>
#include <iostream>
#include <string>
#include <vector>

#include <riffle/kinesis/kinesis.h>

#include "protocol/base64.h"
#include "protocol/json_writer.h"

namespace kinesis = riffle::kinesis;
using riffle::protocol::JsonWriter;

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "probe: %s\n", why.c_str());
  std::exit(1);
}

std::vector<kinesis::UserRecord> ReadUserRecords() {
  std::vector<kinesis::UserRecord> out;
  simdjson::dom::parser parser;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    simdjson::dom::element e;
    if (parser.parse(line).get(e)) Die("not JSON: " + line);
    kinesis::UserRecord r;
    std::string_view pk, data, ehk;
    if (e["partition_key"].get(pk)) Die("no partition_key: " + line);
    if (e["data"].get(data)) Die("no data: " + line);
    r.partition_key = std::string(pk);
    auto bytes = riffle::protocol::Base64Decode(data);
    if (!bytes) Die("data is not base64: " + line);
    r.data = std::move(*bytes);
    if (!e["explicit_hash_key"].get(ehk)) r.explicit_hash_key = std::string(ehk);
    out.push_back(std::move(r));
  }
  return out;
}

std::shared_ptr<kinesis::Client> Connect(const std::string& endpoint) {
  kinesis::ClientOptions options;
  options.endpoint = endpoint;
  options.credentials = kinesis::Credentials{"probe", "probe", ""};
  auto client = kinesis::Client::Create(options);
  if (!client.ok()) Die(client.error().ToString());
  return std::move(client.value());
}

void PrintRecord(const std::string& shard, const std::string& sequence, uint64_t sub, bool aggregated,
                 const std::string& pk, const std::optional<std::string>& ehk, const std::string& data) {
  JsonWriter w;
  w.BeginObject();
  w.Key("shard_id");
  w.String(shard);
  w.Key("sequence_number");
  w.String(sequence);
  w.Key("sub_sequence_number");
  w.Int(static_cast<int64_t>(sub));
  w.Key("aggregated");
  w.Bool(aggregated);
  w.Key("partition_key");
  w.String(pk);
  if (ehk) {
    w.Key("explicit_hash_key");
    w.String(*ehk);
  }
  w.Key("data");
  w.Blob(data);
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
}

int Put(const std::string& endpoint, const std::string& stream) {
  auto client = Connect(endpoint);
  auto records = ReadUserRecords();
  for (size_t start = 0; start < records.size(); start += 500) {
    kinesis::PutRecordsInput in;
    in.StreamName = stream;
    auto& entries = in.Records.emplace();
    for (size_t i = start; i < std::min(records.size(), start + 500); ++i) {
      entries.push_back({.Data = records[i].data, .ExplicitHashKey = records[i].explicit_hash_key,
                         .PartitionKey = records[i].partition_key});
    }
    auto out = client->PutRecords(in);
    if (!out.ok()) Die(out.error().ToString());
    if (out->FailedRecordCount.value_or(0) != 0) Die("PutRecords: failed entries");
    for (const auto& r : *out->Records) {
      JsonWriter w;
      w.BeginObject();
      w.Key("shard_id");
      w.String(*r.ShardId);
      w.Key("sequence_number");
      w.String(*r.SequenceNumber);
      w.EndObject();
      std::printf("%s\n", w.str().c_str());
    }
  }
  return 0;
}

int Produce(const std::string& endpoint, const std::string& stream, bool aggregate, int ttl_ms) {
  auto client = Connect(endpoint);
  kinesis::ProducerOptions options;
  options.stream_name = stream;
  options.aggregate = aggregate;
  options.record_ttl = std::chrono::milliseconds(ttl_ms);
  auto producer = kinesis::Producer::Create(client, options);
  if (!producer.ok()) Die(producer.error().ToString());
  std::vector<std::future<kinesis::Result<kinesis::RecordReceipt>>> receipts;
  for (auto& r : ReadUserRecords()) receipts.push_back((*producer)->Add(std::move(r)));
  (*producer)->Flush();
  int failures = 0;
  for (auto& f : receipts) {
    auto r = f.get();
    JsonWriter w;
    w.BeginObject();
    w.Key("ok");
    w.Bool(r.ok());
    if (r.ok()) {
      w.Key("shard_id");
      w.String(r->shard_id);
      w.Key("sequence_number");
      w.String(r->sequence_number);
      w.Key("sub_sequence_number");
      w.Int(static_cast<int64_t>(r->sub_sequence_number));
      w.Key("aggregated");
      w.Bool(r->aggregated);
      w.Key("attempts");
      w.Int(r->attempts);
    } else {
      ++failures;
      w.Key("type");
      w.String(r.error().type());
      w.Key("message");
      w.String(r.error().message());
    }
    w.EndObject();
    std::printf("%s\n", w.str().c_str());
  }
  const kinesis::ProducerStats s = (*producer)->stats();
  std::fprintf(stderr,
               "{\"user_records_put\":%llu,\"user_records_failed\":%llu,\"kinesis_records_put\":%llu,"
               "\"requests\":%llu,\"retried_user_records\":%llu,\"shard_map_refreshes\":%llu}\n",
               (unsigned long long)s.user_records_put, (unsigned long long)s.user_records_failed,
               (unsigned long long)s.kinesis_records_put, (unsigned long long)s.requests,
               (unsigned long long)s.retried_user_records, (unsigned long long)s.shard_map_refreshes);
  return failures == 0 ? 0 : 1;
}

int Read(const std::string& endpoint, const std::string& stream, bool raw) {
  auto client = Connect(endpoint);
  kinesis::StreamReaderOptions options;
  options.stream_name = stream;
  options.deaggregate = !raw;
  auto reader = kinesis::StreamReader::Create(client, options);
  if (!reader.ok()) Die(reader.error().ToString());
  for (;;) {
    auto records = (*reader)->Next();
    if (!records.ok()) Die(records.error().ToString());
    if (!*records) break;
    for (const auto& r : **records) {
      PrintRecord(r.shard_id, r.sequence_number, r.sub_sequence_number, r.aggregated, r.partition_key,
                  r.explicit_hash_key, r.data);
    }
  }
  return 0;
}

int Aggregate() {
  kinesis::RecordAggregator aggregator;
  for (const auto& r : ReadUserRecords()) aggregator.Add(r);
  if (aggregator.empty()) Die("no records");
  std::printf("%s\n", riffle::protocol::Base64Encode(aggregator.Serialize()).c_str());
  return 0;
}

int Deaggregate() {
  for (const auto& r : ReadUserRecords()) {
    auto users = kinesis::DecodeAggregated(r.data);
    if (!users.ok()) Die(users.error().ToString());
    for (const auto& u : *users) PrintRecord("", "", u.sub_sequence_number, true, u.partition_key, u.explicit_hash_key, u.data);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) Die("usage: probe put|produce|read|aggregate|deaggregate ...");
  auto flag = [&](const std::string& name) {
    for (const auto& a : args) {
      if (a == name) return true;
    }
    return false;
  };
  auto value = [&](const std::string& name, int fallback) {
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == name) return std::stoi(args[i + 1]);
    }
    return fallback;
  };
  const std::string& command = args[0];
  if (command == "aggregate") return Aggregate();
  if (command == "deaggregate") return Deaggregate();
  if (args.size() < 3) Die(command + ": ENDPOINT STREAM expected");
  if (command == "put") return Put(args[1], args[2]);
  if (command == "produce") return Produce(args[1], args[2], flag("--aggregate"), value("--ttl-ms", 30000));
  if (command == "read") return Read(args[1], args[2], flag("--raw"));
  Die("unknown command " + command);
}
