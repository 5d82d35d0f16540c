#include "app/realism_flags.h"

namespace riffle::app {

bool IsAccountId(std::string_view text) {
  return text.size() == 12 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::map<std::string, std::string, std::less<>>> ParseAccounts(const std::vector<std::string>& values,
                                                                              std::string& error) {
  std::map<std::string, std::string, std::less<>> accounts;
  for (const std::string& value : values) {
    size_t eq = value.find('=');
    if (eq == 0 || eq == std::string::npos || !IsAccountId(value.substr(eq + 1))) {
      error = "--account must be ACCESS_KEY_ID=ACCOUNT with a 12-digit account (got " + value + ")";
      return std::nullopt;
    }
    accounts[value.substr(0, eq)] = value.substr(eq + 1);
  }
  return accounts;
}

std::optional<handlers::AdmissionOptions> ParseAdmission(const ServeConfig& config, std::string& error) {
  handlers::AdmissionOptions options;
  options.enforce_limits = config.enforce_limits;
  options.faults.seed = config.inject_seed;
  for (const std::string& value : config.inject_errors) {
    std::string why;
    auto fault = handlers::ParseCallFault(value, why);
    if (!fault) {
      error = "--inject-error: " + why;
      return std::nullopt;
    }
    options.faults.calls.push_back(std::move(*fault));
  }
  if (!config.inject_record_failure.empty()) {
    std::string why;
    auto fault = handlers::ParseRecordFault(config.inject_record_failure, why);
    if (!fault) {
      error = "--inject-record-failure: " + why;
      return std::nullopt;
    }
    options.faults.records = std::move(*fault);
  }
  return options;
}

}  // namespace riffle::app
