#include "app/startup_streams.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <thread>

namespace riffle::app {
namespace {

// Runs an asynchronous service call and waits for its answer.
template <typename Result, typename Call>
Result Await(Call call) {
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> answer = promise->get_future();
  call([promise](Result result) { promise->set_value(std::move(result)); });
  return answer.get();
}

// Waits until `ready` holds (polling); false after `limit_ms`.
template <typename Ready>
bool WaitFor(Ready ready, int64_t limit_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string Failed(const StartupStream& stream, const std::string& what, const Status& status) {
  return stream.origin + ": stream " + stream.name + ": " + what + ": " + status.message();
}

void WarnIfDifferent(const StartupStream& stream, const core::StreamSummaryDescription& summary) {
  std::vector<std::string> differences;
  const bool on_demand = summary.mode == core::StreamMode::kOnDemand;
  if (on_demand != stream.on_demand) {
    differences.push_back(std::string("mode is ") + (on_demand ? "ON_DEMAND" : "PROVISIONED"));
  } else if (!on_demand && summary.open_shard_count != stream.shards) {
    differences.push_back("it has " + std::to_string(summary.open_shard_count) + " open shards, not " +
                          std::to_string(stream.shards));
  }
  if (summary.retention_hours != stream.retention_hours) {
    differences.push_back("retention is " + std::to_string(summary.retention_hours) + " hours, not " +
                          std::to_string(stream.retention_hours));
  }
  for (const std::string& difference : differences) {
    spdlog::warn("{}: stream {} exists and is left as it is, though {}", stream.origin, stream.name, difference);
  }
}

std::string EnsureStream(core::StreamService& service, const ServeConfig& config, const StartupStream& stream) {
  const core::StreamAddress address{stream.account_id.empty() ? config.account_id : stream.account_id,
                                    stream.region.empty() ? config.region : stream.region, stream.name};
  const int64_t limit_ms = config.create_stream_ms + config.update_stream_ms + 60000;
  auto summary = service.DescribeStreamSummary(address);
  const bool created = !summary.ok() && summary.status().code() == Errc::kResourceNotFound;
  if (created) {
    core::StreamCreation creation;
    creation.mode = stream.on_demand ? core::StreamMode::kOnDemand : core::StreamMode::kProvisioned;
    if (!stream.on_demand) creation.shard_count = stream.shards;
    creation.tags.insert(stream.tags.begin(), stream.tags.end());
    Status status = Await<Status>([&](auto done) { service.CreateStream(address, std::move(creation), done); });
    // ResourceInUse: another node created it at the same moment.
    if (!status.ok() && status.code() != Errc::kResourceInUse) return Failed(stream, "cannot create", status);
  } else if (!summary.ok()) {
    return Failed(stream, "cannot describe", summary.status());
  }
  const bool active = WaitFor([&] {
    summary = service.DescribeStreamSummary(address);
    return summary.ok() && summary->status == core::StreamStatus::kActive;
  }, limit_ms);
  if (!active) return Failed(stream, "not ACTIVE", summary.ok() ? Status::InUse("still " +
      std::string(core::StreamStatusName(summary->status))) : summary.status());
  if (!created) {
    WarnIfDifferent(stream, *summary);
  } else if (summary->retention_hours != stream.retention_hours) {
    Status status = Await<Status>([&](auto done) {
      service.IncreaseRetention(address, stream.retention_hours, done);
    });
    summary = service.DescribeStreamSummary(address);  // another node may have done it first
    if (!status.ok() && !(summary.ok() && summary->retention_hours == stream.retention_hours)) {
      return Failed(stream, "cannot set the retention", status);
    }
  }
  for (const std::string& consumer : stream.consumers) {
    auto existing = service.DescribeConsumer(address, consumer, std::nullopt);
    if (!existing.ok() && existing.status().code() == Errc::kResourceNotFound) {
      auto registered = Await<StatusOr<core::ConsumerDescription>>([&](auto done) {
        service.RegisterConsumer(address, consumer, done);
      });
      if (!registered.ok() && registered.status().code() != Errc::kResourceInUse) {
        return Failed(stream, "cannot register consumer " + consumer, registered.status());
      }
    }
    const bool consumer_active = WaitFor([&] {
      existing = service.DescribeConsumer(address, consumer, std::nullopt);
      return existing.ok() && existing->status == core::ConsumerStatus::kActive;
    }, limit_ms);
    if (!consumer_active) {
      return Failed(stream, "consumer " + consumer + " not ACTIVE",
                    existing.ok() ? Status::InUse("still being registered") : existing.status());
    }
  }
  spdlog::info("{}: stream {} {}", stream.origin, stream.name, created ? "created" : "exists");
  return "";
}

}  // namespace

std::string CreateStartupStreams(core::StreamService& service, const ServeConfig& config) {
  for (const StartupStream& stream : config.streams) {
    std::string error = EnsureStream(service, config, stream);
    if (!error.empty()) return error;
  }
  return "";
}

}  // namespace riffle::app
