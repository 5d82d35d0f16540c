// Admission: the opt-in realism checks a request passes before its
// operation runs — injected faults (FaultInjector) and, with
// --enforce-limits, Kinesis's rate limits (core::ThroughputLimits) — worded
// as Kinesis words the resulting errors. The router asks AdmitCall for every
// operation; PutRecord, PutRecords and GetRecords ask for their shards.
// A request that is refused has no effect. In a cluster (ShareUsage) the
// rate limits count the takes of every node. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/stream_service.h"
#include "core/throughput_limits.h"
#include "handlers/fault_injector.h"
#include "handlers/peer_reports.h"
#include "protocol/api_error.h"
#include "store/store.h"

namespace riffle::handlers {

struct RequestScope;

struct AdmissionOptions {
  bool enforce_limits = false;
  FaultPlan faults;
};

// Why one PutRecords entry was not stored.
struct EntryFailure {
  std::string error_code;
  std::string error_message;
  uint32_t shard = 0;  // the shard the entry was routed to
};

class Admission {
 public:
  // `clock` must outlive this.
  Admission(const core::Clock& clock, AdmissionOptions options);
  ~Admission();
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // When enforcing limits on a store other nodes share: tells the other
  // nodes what this node admits and charges what they admit (usage reports,
  // kind 0x01), once `peers` has started. `peers` must outlive this or be
  // destroyed before the node serves no more calls.
  void ShareUsage(PeerReports& peers);

  // Any call: an injected fault for `operation`, else (enforcing) its
  // control-plane rate. nullopt admits. `body` names the stream in messages.
  std::optional<protocol::ApiError> AdmitCall(std::string_view operation, const RequestScope& scope,
                                              std::string_view body);
  // PutRecord: ProvisionedThroughputExceededException when the record's
  // shard is over its write rate. Routing errors admit (PutRecord reports them).
  std::optional<protocol::ApiError> AdmitRecord(core::StreamService& streams, const core::StreamAddress& address,
                                                const core::PutEntry& entry);
  // PutRecords: for each entry, in order, why it fails (throttled, or an
  // injected failure), or nullopt to store it. Empty when none can fail.
  std::vector<std::optional<EntryFailure>> JudgeEntries(core::StreamService& streams,
                                                        const core::StreamAddress& address,
                                                        const std::vector<core::PutEntry>& entries);
  // GetRecords: ProvisionedThroughputExceededException when the iterator's
  // shard is over its read rate. Otherwise sets `charge_to` (when enforcing)
  // to the shard whose read balance pays for the records returned.
  std::optional<protocol::ApiError> AdmitRead(core::StreamService& streams, const std::string& shard_iterator,
                                              std::optional<core::ShardRef>& charge_to);
  void ChargeRead(core::ShardRef shard, int64_t bytes);

 private:
  // Sends the takes of the call that just ran to the other nodes.
  void Report();

  std::optional<core::ThroughputLimits> limits_;
  FaultInjector faults_;
  PeerReports* shared_ = nullptr;
};

}  // namespace riffle::handlers
