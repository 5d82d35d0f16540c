// ValidationContext: collects field-constraint violations the way Kinesis
// (AWS Coral) reports them in a ValidationException, for the generated
// validators (wire_json). Facts reproduced (see the protocol report):
//   "1 validation error detected: Value '<v>' at '<path>' failed to satisfy
//    constraint: <constraint>"; several joined with "; " after
//   "<n> validation errors detected: "; at most 10 listed.
//   Paths are lower-camel member names joined by '.', list members as
//   "<list>.<1-based index>.member".
//   Values: null unquoted; strings quoted verbatim; numbers quoted; blobs as
//   'java.nio.HeapByteBuffer[pos=0 lim=<n> cap=<n>]'; lists '[a, b]'; maps
//   '{k=v, k2=v2}'.
//
// The path is kept as a stack of segments and rendered only when a
// violation is recorded, so validating valid input allocates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/api_error.h"

namespace riffle::protocol {

class ValidationContext {
 public:
  static constexpr size_t kMaxErrors = 10;

  // Enters member `name` (already lower camel case; must outlive the Pop).
  void Push(std::string_view name) { path_.push_back({name, 0}); }
  // Enters list element `one_based_index` (rendered ".<i>.member").
  void PushIndex(size_t one_based_index) { path_.push_back({{}, one_based_index}); }
  void Pop() { path_.pop_back(); }

  // Records a violation at the current path. `value` is already formatted
  // (see the Format* helpers); violations past kMaxErrors are dropped.
  void Fail(const std::string& value, std::string_view constraint);
  void FailNull() { Fail("null", "Member must not be null"); }

  bool empty() const { return errors_.empty(); }

  // The ValidationException for the collected violations, or nullopt.
  std::optional<ApiError> Finish() const;

 private:
  struct Segment {
    std::string_view name;  // empty for an index segment
    size_t index;
  };
  std::vector<Segment> path_;
  std::vector<std::string> errors_;
};

// Length of `s` in Unicode code points (UTF-8 continuation bytes skipped).
size_t CodePointLength(std::string_view s);

// Value renderings used in messages (each includes the quotes).
std::string FormatStringValue(std::string_view s);           // 'abc'
std::string FormatIntValue(int64_t v);                       // '5'
std::string FormatBlobValue(size_t size);                    // 'java.nio.HeapByteBuffer[...]'
std::string FormatStringListValue(const std::vector<std::string>& v);  // '[a, b]'
// A list of structures: Java's default toString per element, e.g.
// '[com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@2]'.
std::string FormatStructListValue(size_t count, std::string_view shape_name);
std::string FormatMapValue(const std::vector<std::pair<std::string, std::string>>& v);  // '{k=v}'

}  // namespace riffle::protocol
