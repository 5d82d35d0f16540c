// orders: libriffle-kinesis in one page. Creates a stream, puts records
// through the Producer (batched, aggregated), reads them back across every
// shard with a StreamReader, lists the streams page by page, shows a typed
// error, and deletes the stream.
//
//   orders [ENDPOINT]     (default: the environment, as the AWS SDKs read it)
// Exit code 0 when every record came back once.
#include <riffle/kinesis/kinesis.h>

#include <chrono>
#include <future>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace kinesis = riffle::kinesis;

int main(int argc, char** argv) {
  kinesis::ClientOptions options;
  if (argc > 1) options.endpoint = argv[1];
  options.fallback_credentials = kinesis::Credentials{"example", "example", ""};  // any work on Riffle
  auto created = kinesis::Client::Create(options);
  if (!created.ok()) {
    std::cerr << created.error().ToString() << "\n";
    return 1;
  }
  std::shared_ptr<kinesis::Client> client = *created;
  const std::string stream = "orders-example-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());

  // One method per operation; requests and results are the API's shapes.
  if (auto r = client->CreateStream({.StreamName = stream, .ShardCount = 2}); !r.ok()) {
    std::cerr << "CreateStream: " << r.error().ToString() << "\n";
    return 1;
  }
  for (;;) {
    auto d = client->DescribeStreamSummary({.StreamName = stream});
    if (!d.ok()) {
      std::cerr << "DescribeStreamSummary: " << d.error().ToString() << "\n";
      return 1;
    }
    if (d->StreamDescriptionSummary->StreamStatus == "ACTIVE") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  // Errors carry AWS's type and message, and a code to switch on.
  auto missing = client->DescribeStreamSummary({.StreamName = "no-such-stream"});
  if (missing.ok() || missing.error().code() != kinesis::ErrorCode::kResourceNotFound) return 1;
  std::cout << "as expected: " << missing.error().type() << "\n";

  // The Producer batches per shard, aggregates (KPL format) and retries.
  const int kRecords = 1000;
  {
    auto producer = kinesis::Producer::Create(client, {.stream_name = stream});
    if (!producer.ok()) {
      std::cerr << "Producer: " << producer.error().ToString() << "\n";
      return 1;
    }
    std::vector<std::future<kinesis::Result<kinesis::RecordReceipt>>> receipts;
    for (int i = 0; i < kRecords; ++i) {
      receipts.push_back((*producer)->Add({.partition_key = "customer-" + std::to_string(i % 37),
                                           .data = "order " + std::to_string(i)}));
    }
    (*producer)->Flush();
    for (auto& f : receipts) {
      auto receipt = f.get();
      if (!receipt.ok()) {
        std::cerr << "put: " << receipt.error().ToString() << "\n";
        return 1;
      }
    }
    std::cout << "put " << kRecords << " records in " << (*producer)->stats().requests << " PutRecords\n";
  }

  // The StreamReader reads every shard (parents before children) and splits
  // aggregated records back into the records put.
  auto reader = kinesis::StreamReader::Create(client, {.stream_name = stream});
  if (!reader.ok()) {
    std::cerr << "StreamReader: " << reader.error().ToString() << "\n";
    return 1;
  }
  std::set<std::string> seen;
  size_t read = 0;
  for (;;) {
    auto records = (*reader)->Next();
    if (!records.ok()) {
      std::cerr << "read: " << records.error().ToString() << "\n";
      return 1;
    }
    if (!*records) break;
    for (const kinesis::StreamRecord& r : **records) {
      seen.insert(r.data);
      ++read;
    }
  }
  std::cout << "read " << read << " records, " << seen.size() << " distinct\n";

  // Paginators follow the list operations' tokens.
  kinesis::Paginator<kinesis::ops::ListStreams> pages(*client, {.Limit = 10});
  size_t streams = 0;
  while (pages.HasMorePages()) {
    auto page = pages.NextPage();
    if (!page.ok()) return 1;
    streams += page->StreamNames->size();
  }
  std::cout << "streams: " << streams << "\n";

  client->DeleteStream({.StreamName = stream});
  return read == static_cast<size_t>(kRecords) && seen.size() == static_cast<size_t>(kRecords) ? 0 : 1;
}
