#include "fuzz_service.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "core/clock.h"
#include "handlers/handlers.h"

namespace riffle::fuzz {
namespace {

const core::SystemClock& Clock() {
  static const core::SystemClock clock;
  return clock;
}

}  // namespace

void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "FUZZ FINDING: %.*s %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

std::unique_ptr<FuzzService> FuzzService::Open() {
  std::unique_ptr<FuzzService> service(new FuzzService());
  store::Options options;
  options.in_memory = true;
  auto store = store::OpenRocksDbStore(options);
  if (!store.ok()) Fail("cannot open the in-memory store:", store.status().message());
  service->store_ = std::move(*store);
  auto streams = core::StreamService::Open(*service->store_, Clock(), core::ServiceOptions{});
  if (!streams.ok()) Fail("cannot open the stream service:", streams.status().message());
  service->streams_ = std::move(*streams);
  service->channels_ = std::make_unique<core::ChannelService>(*service->streams_, Clock(), core::ServiceOptions{});
  service->streams_->SetDeleteGuard([channels = service->channels_.get()](const core::StreamAddress& address,
                                                                           uint64_t incarnation) {
    return channels->CheckStreamDeletable(address, incarnation);
  });

  auto expect_ok = [&](std::string_view operation, std::string_view body) {
    auto result = service->Call(operation, body);
    if (!result.ok()) Fail("setup request failed:", result.error().message);
    return std::move(result).value();
  };
  expect_ok("CreateStream", R"({"StreamName":"fuzz","ShardCount":2})");
  expect_ok("PutRecords",
            R"({"StreamName":"fuzz","Records":[{"Data":"AAEC","PartitionKey":"a"},)"
            R"({"Data":"aGVsbG8=","PartitionKey":"b","ExplicitHashKey":"1"},)"
            R"({"Data":"","PartitionKey":"zz"}]})");
  std::string reply = expect_ok(
      "GetShardIterator", R"({"StreamName":"fuzz","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");
  // {"ShardIterator":"<token>"}: the token is base64url, never escaped.
  size_t colon = reply.find(':');
  size_t open = reply.find('"', colon);
  size_t close = reply.find('"', open + 1);
  if (colon == std::string::npos || open == std::string::npos || close == std::string::npos) {
    Fail("unexpected GetShardIterator reply:", reply);
  }
  service->iterator_ = reply.substr(open + 1, close - open - 1);
  return service;
}

FuzzService::~FuzzService() {
  if (streams_) streams_->SetDeleteGuard(nullptr);
  channels_.reset();
  streams_.reset();
  if (store_) store_->Close();
}

protocol::ApiResult<std::string> FuzzService::Call(const handlers::Handler& handler, std::string_view body) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<protocol::ApiResult<std::string>> result;
  handler.handle(context(), body, [&](protocol::ApiResult<std::string> reply) {
    std::lock_guard<std::mutex> lock(mu);
    if (result) Fail("handler replied twice:", handler.operation);
    result.emplace(std::move(reply));
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  if (!cv.wait_for(lock, std::chrono::minutes(1), [&] { return result.has_value(); })) {
    Fail("handler did not reply within a minute:", handler.operation);
  }
  return std::move(*result);
}

protocol::ApiResult<std::string> FuzzService::Call(std::string_view operation, std::string_view body) {
  const handlers::Handler* handler = handlers::FindHandler(operation);
  if (handler == nullptr) Fail("no handler for", operation);
  return Call(*handler, body);
}

}  // namespace riffle::fuzz
