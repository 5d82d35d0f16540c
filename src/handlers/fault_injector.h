// FaultInjector: `riffle serve --inject-error` and `--inject-record-failure`.
// Makes a chosen fraction of calls (of one operation, or of all) fail with a
// chosen AWS error before they have any effect, and a chosen fraction of
// PutRecords entries fail individually (the entry is not stored). Decisions
// come from one pseudo-random sequence seeded by --inject-seed, drawn only
// for calls and entries a rule covers, so a client making the same requests
// in the same order sees the same failures. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace riffle::handlers {

// "OPERATION=FRACTION[:ErrorCode]"; OPERATION "*" covers every operation.
struct CallFault {
  std::string operation;
  double fraction = 0;
  std::string error_code = "InternalFailure";
};

// "FRACTION[:ErrorCode]" for PutRecords entries.
struct RecordFault {
  double fraction = 0;
  std::string error_code = "ProvisionedThroughputExceededException";
};

struct FaultPlan {
  std::vector<CallFault> calls;
  std::optional<RecordFault> records;
  uint64_t seed = 0;
  bool empty() const { return calls.empty() && !records; }
};

// Parse a flag value; on failure return nullopt and set `error`.
std::optional<CallFault> ParseCallFault(std::string_view text, std::string& error);
std::optional<RecordFault> ParseRecordFault(std::string_view text, std::string& error);

// The error codes a call may be made to fail with, and those an entry may.
std::vector<std::string_view> CallFaultCodes();
std::vector<std::string_view> RecordFaultCodes();

class FaultInjector {
 public:
  explicit FaultInjector(FaultPlan plan);

  // The error code `operation` fails with this time, or nullopt. The first
  // rule naming the operation applies, else the first "*" rule.
  std::optional<std::string> CallFails(std::string_view operation);
  // The error code a PutRecords entry fails with, or nullopt.
  std::optional<std::string> RecordFails();
  bool injects_records() const { return plan_.records.has_value(); }

 private:
  bool Draw(double fraction);

  const FaultPlan plan_;
  std::mutex mu_;
  std::mt19937_64 random_;
};

}  // namespace riffle::handlers
