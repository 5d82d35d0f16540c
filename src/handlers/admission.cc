#include "handlers/admission.h"

#include "core/usage_report.h"
#include "handlers/handler.h"

namespace riffle::handlers {

namespace {

constexpr std::string_view kInternalFailureMessage = "Internal Service Failure";

// The value of a top-level string member `"key": "value"` of a JSON body
// (no unescaping: stream names and ARNs have no escapes), or "".
std::string_view StringMember(std::string_view body, std::string_view key) {
  std::string needle = "\"" + std::string(key) + "\"";
  size_t at = body.find(needle);
  if (at == std::string_view::npos) return {};
  size_t colon = body.find_first_not_of(" \t\r\n", at + needle.size());
  if (colon == std::string_view::npos || body[colon] != ':') return {};
  size_t open = body.find_first_not_of(" \t\r\n", colon + 1);
  if (open == std::string_view::npos || body[open] != '"') return {};
  size_t close = body.find('"', open + 1);
  if (close == std::string_view::npos) return {};
  return body.substr(open + 1, close - open - 1);
}

// The stream a request body names by StreamName, StreamARN or ConsumerARN, or "".
std::string StreamNamed(std::string_view body) {
  std::string_view name = StringMember(body, "StreamName");
  if (!name.empty()) return std::string(name);
  std::string_view arn = StringMember(body, "StreamARN");
  if (arn.empty()) arn = StringMember(body, "ConsumerARN");
  size_t at = arn.find(":stream/");
  if (at == std::string_view::npos) return {};
  arn.remove_prefix(at + 8);
  return std::string(arn.substr(0, arn.find('/')));
}

std::string RateExceeded(const std::string& stream, const std::string& account) {
  if (stream.empty()) return "Rate exceeded for account " + account + ".";
  return "Rate exceeded for stream " + stream + " under account " + account + ".";
}

std::string ShardRateExceeded(const core::StreamAddress& address, uint32_t shard) {
  return "Rate exceeded for shard " + core::ShardIdString(shard) + " in stream " + address.name + " under account " +
         address.account_id + ".";
}

protocol::ApiError InjectedError(const std::string& code, const RequestScope& scope, std::string_view body) {
  if (code == "InternalFailure") return {500, code, std::string(kInternalFailureMessage)};
  if (code == "ServiceUnavailable") return {503, code, "Service Unavailable"};
  if (code == "ThrottlingException") return {400, code, "Rate exceeded"};
  return {400, code, RateExceeded(StreamNamed(body), scope.account_id)};
}

int64_t EntryBytes(const core::PutEntry& entry) {
  return static_cast<int64_t>(entry.data.size() + entry.partition_key.size());
}

}  // namespace

Admission::Admission(const core::Clock& clock, AdmissionOptions options) : faults_(std::move(options.faults)) {
  if (options.enforce_limits) limits_.emplace(clock);
}

Admission::~Admission() = default;

void Admission::ShareUsage(PeerReports& peers) {
  if (!limits_ || !peers.shared() || shared_ != nullptr) return;
  limits_->KeepReports();
  shared_ = &peers;
  peers.Listen(core::kUsageReportVersion, [this](std::string_view report) { limits_->Apply(report); });
}

void Admission::Report() {
  if (shared_ == nullptr) return;
  std::string report = limits_->TakeReport();
  if (!report.empty()) shared_->Send(std::move(report));
}

std::optional<protocol::ApiError> Admission::AdmitCall(std::string_view operation, const RequestScope& scope,
                                                       std::string_view body) {
  if (auto code = faults_.CallFails(operation)) return InjectedError(*code, scope, body);
  if (!limits_) return std::nullopt;
  const core::ControlLimit* limit = core::FindControlLimit(operation);
  if (limit == nullptr) return std::nullopt;
  std::string key = scope.account_id + "/" + scope.region;
  std::string stream;
  if (limit->scope == core::LimitScope::kStream) {
    stream = StreamNamed(body);
    key += "/" + stream;
  }
  if (limits_->AdmitCall(*limit, key)) {
    Report();
    return std::nullopt;
  }
  if (stream.empty()) stream = StreamNamed(body);
  return protocol::ApiError{400, "LimitExceededException", RateExceeded(stream, scope.account_id)};
}

std::optional<protocol::ApiError> Admission::AdmitRecord(core::StreamService& streams,
                                                         const core::StreamAddress& address,
                                                         const core::PutEntry& entry) {
  if (!limits_) return std::nullopt;
  auto routing = streams.RoutePuts(address, std::span<const core::PutEntry>(&entry, 1));
  if (!routing.ok()) return std::nullopt;
  uint32_t shard = routing->shards[0];
  if (limits_->AdmitWrite({routing->incarnation, shard}, EntryBytes(entry))) {
    Report();
    return std::nullopt;
  }
  return protocol::ApiError{400, "ProvisionedThroughputExceededException", ShardRateExceeded(address, shard)};
}

std::vector<std::optional<EntryFailure>> Admission::JudgeEntries(core::StreamService& streams,
                                                                 const core::StreamAddress& address,
                                                                 const std::vector<core::PutEntry>& entries) {
  if (!limits_ && !faults_.injects_records()) return {};
  auto routing = streams.RoutePuts(address, entries);
  if (!routing.ok()) return {};
  std::vector<std::optional<EntryFailure>> verdicts(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    uint32_t shard = routing->shards[i];
    std::optional<std::string> code = faults_.RecordFails();
    if (!code && limits_ && !limits_->AdmitWrite({routing->incarnation, shard}, EntryBytes(entries[i]))) {
      code = "ProvisionedThroughputExceededException";
    }
    if (!code) continue;
    std::string message =
        *code == "InternalFailure" ? std::string(kInternalFailureMessage) : ShardRateExceeded(address, shard);
    verdicts[i] = EntryFailure{std::move(*code), std::move(message), shard};
  }
  if (limits_) Report();
  return verdicts;
}

std::optional<protocol::ApiError> Admission::AdmitRead(core::StreamService& streams,
                                                       const std::string& shard_iterator,
                                                       std::optional<core::ShardRef>& charge_to) {
  if (!limits_) return std::nullopt;
  auto it = streams.PeekIterator(shard_iterator);
  if (!it) return std::nullopt;  // GetRecords rejects it
  core::ShardRef shard{it->incarnation, it->shard_index};
  if (!limits_->AdmitRead(shard)) {
    return protocol::ApiError{400, "ProvisionedThroughputExceededException",
                              "Rate exceeded for Shard - " + it->account_id + "/" + it->stream_name + "/" +
                                  core::ShardIdString(it->shard_index)};
  }
  charge_to = shard;
  Report();
  return std::nullopt;
}

void Admission::ChargeRead(core::ShardRef shard, int64_t bytes) {
  if (!limits_) return;
  limits_->ChargeRead(shard, bytes);
  Report();
}

}  // namespace riffle::handlers
