// `riffle describe NAME [--format text|json]`: DescribeStreamSummary, every
// shard (ListShards) with its hash key range, sequence number range and
// parents, and the registered consumers (ListStreamConsumers).
#include <cstdio>

#include "app/client_command_support.h"
#include "protocol/json_writer.h"

namespace riffle::app {

namespace {

struct Described {
  kinesis::StreamDescriptionSummary summary;
  std::vector<kinesis::Shard> shards;
  std::vector<kinesis::Consumer> consumers;
};

std::optional<int> Read(kinesis::Client& client, const std::string& name, Described& out) {
  auto summary = client.DescribeStreamSummary({.StreamName = name});
  if (!summary.ok()) return Fail("DescribeStreamSummary " + name, summary.error());
  out.summary = summary->StreamDescriptionSummary.value_or(kinesis::StreamDescriptionSummary{});
  kinesis::Paginator<kinesis::ops::ListShards> shards(client, {.StreamName = name});
  while (shards.HasMorePages()) {
    auto page = shards.NextPage();
    if (!page.ok()) return Fail("ListShards " + name, page.error());
    for (auto& s : page->Shards.value_or(std::vector<kinesis::Shard>{})) out.shards.push_back(std::move(s));
  }
  kinesis::Paginator<kinesis::ops::ListStreamConsumers> consumers(client, {.StreamARN = out.summary.StreamARN});
  while (consumers.HasMorePages()) {
    auto page = consumers.NextPage();
    if (!page.ok()) return Fail("ListStreamConsumers " + name, page.error());
    for (auto& c : page->Consumers.value_or(std::vector<kinesis::Consumer>{})) out.consumers.push_back(std::move(c));
  }
  return std::nullopt;
}

bool Open(const kinesis::Shard& s) { return !(s.SequenceNumberRange && s.SequenceNumberRange->EndingSequenceNumber); }

std::string Mode(const kinesis::StreamDescriptionSummary& s) {
  return s.StreamModeDetails ? s.StreamModeDetails->StreamMode.value_or("PROVISIONED") : "PROVISIONED";
}

void PrintText(const Described& d) {
  const auto& s = d.summary;
  size_t open = 0;
  for (const auto& shard : d.shards) open += Open(shard);
  std::printf("stream      %s\n", s.StreamName.value_or("").c_str());
  std::printf("arn         %s\n", s.StreamARN.value_or("").c_str());
  std::printf("status      %s\n", s.StreamStatus.value_or("").c_str());
  std::printf("mode        %s\n", Mode(s).c_str());
  std::printf("retention   %lld hours\n", static_cast<long long>(s.RetentionPeriodHours.value_or(0)));
  std::printf("encryption  %s\n", s.EncryptionType.value_or("NONE").c_str());
  if (s.StreamCreationTimestamp) std::printf("created     %s\n", FormatTime(*s.StreamCreationTimestamp).c_str());
  std::printf("shards      %zu open, %zu closed\n", open, d.shards.size() - open);
  for (const auto& shard : d.shards) {
    std::printf("  %s  %-6s  hash %s..%s", shard.ShardId.value_or("").c_str(), Open(shard) ? "open" : "closed",
                shard.HashKeyRange ? shard.HashKeyRange->StartingHashKey.value_or("").c_str() : "",
                shard.HashKeyRange ? shard.HashKeyRange->EndingHashKey.value_or("").c_str() : "");
    if (shard.ParentShardId) std::printf("  parent %s", shard.ParentShardId->c_str());
    if (shard.AdjacentParentShardId) std::printf(" and %s", shard.AdjacentParentShardId->c_str());
    std::printf("\n");
  }
  std::printf("consumers   %zu\n", d.consumers.size());
  for (const auto& c : d.consumers) {
    std::printf("  %s  %s  %s\n", c.ConsumerName.value_or("").c_str(), c.ConsumerStatus.value_or("").c_str(),
                c.ConsumerARN.value_or("").c_str());
  }
}

void Member(protocol::JsonWriter& w, const char* key, const std::optional<std::string>& value) {
  if (!value) return;
  w.Key(key);
  w.String(*value);
}

void PrintJson(const Described& d) {
  const auto& s = d.summary;
  protocol::JsonWriter w;
  w.BeginObject();
  Member(w, "StreamName", s.StreamName);
  Member(w, "StreamARN", s.StreamARN);
  Member(w, "StreamStatus", s.StreamStatus);
  w.Key("StreamMode");
  w.String(Mode(s));
  if (s.RetentionPeriodHours) {
    w.Key("RetentionPeriodHours");
    w.Int(*s.RetentionPeriodHours);
  }
  Member(w, "EncryptionType", s.EncryptionType);
  if (s.StreamCreationTimestamp) {
    w.Key("StreamCreationTimestamp");
    w.Timestamp(*s.StreamCreationTimestamp);
  }
  w.Key("Shards");
  w.BeginArray();
  for (const auto& shard : d.shards) {
    w.BeginObject();
    Member(w, "ShardId", shard.ShardId);
    Member(w, "ParentShardId", shard.ParentShardId);
    Member(w, "AdjacentParentShardId", shard.AdjacentParentShardId);
    if (shard.HashKeyRange) {
      Member(w, "StartingHashKey", shard.HashKeyRange->StartingHashKey);
      Member(w, "EndingHashKey", shard.HashKeyRange->EndingHashKey);
    }
    if (shard.SequenceNumberRange) {
      Member(w, "StartingSequenceNumber", shard.SequenceNumberRange->StartingSequenceNumber);
      Member(w, "EndingSequenceNumber", shard.SequenceNumberRange->EndingSequenceNumber);
    }
    w.Key("Open");
    w.Bool(Open(shard));
    w.EndObject();
  }
  w.EndArray();
  w.Key("Consumers");
  w.BeginArray();
  for (const auto& c : d.consumers) {
    w.BeginObject();
    Member(w, "ConsumerName", c.ConsumerName);
    Member(w, "ConsumerARN", c.ConsumerARN);
    Member(w, "ConsumerStatus", c.ConsumerStatus);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
}

}  // namespace

int RunDescribe(const ClientFlags& flags, const DescribeFlags& describe) {
  auto client = MakeCommandClient(flags);
  if (!client) return 1;
  Described d;
  if (auto failed = Read(*client, describe.name, d)) return *failed;
  if (describe.format == "json") {
    PrintJson(d);
  } else {
    PrintText(d);
  }
  return 0;
}

}  // namespace riffle::app
