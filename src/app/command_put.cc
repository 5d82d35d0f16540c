// `riffle put NAME [--partition-key K] [--aggregate]`: one record per line of
// standard input (the line without its newline), through the Producer:
// batched per shard into PutRecords, failed entries retried, with
// --aggregate packed into KPL aggregated records. Without --partition-key
// every record gets a random key (records spread over the shards).
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "app/client_command_support.h"

namespace riffle::app {

int RunPut(const ClientFlags& flags, const PutFlags& put) {
  auto client = MakeCommandClient(flags);
  if (!client) return 1;
  kinesis::ProducerOptions options;
  options.stream_name = put.name;
  options.aggregate = put.aggregate;
  auto producer = kinesis::Producer::Create(client, options);
  if (!producer.ok()) return Fail("stream " + put.name, producer.error());
  std::mt19937_64 rng{std::random_device{}()};
  std::mutex mutex;
  uint64_t failed = 0;
  std::optional<kinesis::Error> first_error;
  uint64_t lines = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    ++lines;
    kinesis::UserRecord record;
    record.partition_key = put.partition_key.empty() ? fmt::format("{:016x}", rng()) : put.partition_key;
    record.data = std::move(line);
    (*producer)->Add(std::move(record), [&, number = lines](kinesis::Result<kinesis::RecordReceipt> result) {
      if (result.ok()) return;
      std::lock_guard lock(mutex);
      if (!first_error) {
        std::fprintf(stderr, "riffle: line %llu: %s\n", static_cast<unsigned long long>(number),
                     result.error().ToString().c_str());
        first_error = result.error();
      }
      ++failed;
    });
  }
  (*producer)->FlushAndWait();
  const kinesis::ProducerStats stats = (*producer)->stats();
  producer->reset();  // every callback has run
  std::fprintf(stderr, "riffle: put %llu of %llu records into %s (%llu PutRecords)\n",
               static_cast<unsigned long long>(stats.user_records_put), static_cast<unsigned long long>(lines),
               put.name.c_str(), static_cast<unsigned long long>(stats.requests));
  std::lock_guard lock(mutex);
  return failed == 0 ? 0 : 1;
}

}  // namespace riffle::app
