// The flags of `riffle serve` that map access keys to accounts and turn on
// limits and fault injection: parsing and checking their values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/serve.h"
#include "handlers/admission.h"

namespace riffle::app {

// True for a 12-digit AWS account id.
bool IsAccountId(std::string_view text);

// --account values "AKID=ACCOUNT" as a map; nullopt (and `error`) when one
// is malformed.
std::optional<std::map<std::string, std::string, std::less<>>> ParseAccounts(const std::vector<std::string>& values,
                                                                              std::string& error);

// --enforce-limits, --inject-error, --inject-record-failure and
// --inject-seed; nullopt (and `error`) when a value is malformed.
std::optional<handlers::AdmissionOptions> ParseAdmission(const ServeConfig& config, std::string& error);

}  // namespace riffle::app
