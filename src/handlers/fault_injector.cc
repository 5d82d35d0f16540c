#include "handlers/fault_injector.h"

#include <charconv>

#include "handlers/handlers.h"

namespace riffle::handlers {

namespace {

constexpr std::string_view kCallCodes[] = {"InternalFailure", "ServiceUnavailable", "ThrottlingException",
                                           "LimitExceededException", "ProvisionedThroughputExceededException"};
constexpr std::string_view kRecordCodes[] = {"ProvisionedThroughputExceededException", "InternalFailure"};

// A fraction in [0, 1], in plain decimal notation.
std::optional<double> ParseFraction(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 1) return std::nullopt;
  return value;
}

template <size_t N>
bool Known(const std::string_view (&codes)[N], std::string_view code) {
  for (std::string_view c : codes) {
    if (c == code) return true;
  }
  return false;
}

// Splits "FRACTION[:CODE]" and checks both; `code` keeps its default when absent.
bool ParseFractionAndCode(std::string_view text, bool records, double& fraction, std::string& code,
                          std::string& error) {
  size_t colon = text.find(':');
  auto parsed = ParseFraction(text.substr(0, colon));
  if (!parsed) {
    error = "the fraction must be a number from 0 to 1 (got " + std::string(text.substr(0, colon)) + ")";
    return false;
  }
  fraction = *parsed;
  if (colon == std::string_view::npos) return true;
  std::string_view name = text.substr(colon + 1);
  if (records ? !Known(kRecordCodes, name) : !Known(kCallCodes, name)) {
    error = "unsupported error code " + std::string(name);
    return false;
  }
  code = std::string(name);
  return true;
}

}  // namespace

std::vector<std::string_view> CallFaultCodes() { return {std::begin(kCallCodes), std::end(kCallCodes)}; }
std::vector<std::string_view> RecordFaultCodes() { return {std::begin(kRecordCodes), std::end(kRecordCodes)}; }

std::optional<CallFault> ParseCallFault(std::string_view text, std::string& error) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    error = "expected OPERATION=FRACTION[:ErrorCode] (got " + std::string(text) + ")";
    return std::nullopt;
  }
  CallFault fault;
  fault.operation = std::string(text.substr(0, eq));
  if (fault.operation != "*" && FindHandler(fault.operation) == nullptr) {
    error = "unknown operation " + fault.operation;
    return std::nullopt;
  }
  if (!ParseFractionAndCode(text.substr(eq + 1), false, fault.fraction, fault.error_code, error)) return std::nullopt;
  return fault;
}

std::optional<RecordFault> ParseRecordFault(std::string_view text, std::string& error) {
  RecordFault fault;
  if (!ParseFractionAndCode(text, true, fault.fraction, fault.error_code, error)) return std::nullopt;
  return fault;
}

FaultInjector::FaultInjector(FaultPlan plan) : plan_(std::move(plan)), random_(plan_.seed) {}

bool FaultInjector::Draw(double fraction) {
  std::lock_guard lock(mu_);
  // 53 random bits as a uniform double in [0, 1): the same on every platform.
  double u = static_cast<double>(random_() >> 11) * 0x1.0p-53;
  return u < fraction;
}

std::optional<std::string> FaultInjector::CallFails(std::string_view operation) {
  const CallFault* rule = nullptr;
  for (const CallFault& f : plan_.calls) {
    if (f.operation == operation) {
      rule = &f;
      break;
    }
    if (f.operation == "*" && rule == nullptr) rule = &f;
  }
  if (rule == nullptr || !Draw(rule->fraction)) return std::nullopt;
  return rule->error_code;
}

std::optional<std::string> FaultInjector::RecordFails() {
  if (!plan_.records || !Draw(plan_.records->fraction)) return std::nullopt;
  return plan_.records->error_code;
}

}  // namespace riffle::handlers
