// PatternMatcher: full-string matching of the small regular expressions in
// the Kinesis model (`[a-zA-Z0-9_.-]+`, `0|([1-9]\d{0,38})`,
// `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`, ...) without std::regex.
//
// Semantics are Java's String.matches(): the whole input must match; a
// leading '^' and trailing '$' are accepted and redundant. Input is UTF-8 and
// is matched code point by code point. Supported syntax: literals, escaped
// literals (\/ \. ...), '.', \d \D \s \S \w \W, bracket classes with ranges
// and negation, groups (...) and (?:...), '|', and the quantifiers * + ?
// {n} {n,} {n,m}. Backreferences, lookaround and flags are not supported.
//
// Matching is a Thompson-NFA simulation: O(input length x program size)
// time, no backtracking blow-up, no allocation after construction except a
// per-call scratch buffer sized to the program.
#pragma once

#include <bitset>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace riffle::protocol {

class PatternMatcher {
 public:
  // Compiles `pattern`. Throws std::invalid_argument on syntax it does not
  // support (patterns come from the model, so this is a build-time bug).
  explicit PatternMatcher(std::string_view pattern);

  // Parse tree; an implementation detail of the .cc (public only so the
  // parser there can name it).
  struct Node;

  // True if all of `input` matches the pattern. Invalid UTF-8 bytes are
  // treated as single non-ASCII code points.
  bool Matches(std::string_view input) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct CharClass {
    std::bitset<128> ascii;
    bool non_ascii = false;  // whether code points >= 0x80 match
    bool Contains(uint32_t cp) const { return cp < 128 ? ascii.test(cp) : non_ascii; }
  };
  enum class Op : uint8_t { kClass, kSplit, kJmp, kMatch };
  struct Inst {
    Op op;
    uint32_t x = 0;  // kClass: class index; kSplit/kJmp: target
    uint32_t y = 0;  // kSplit: second target
  };
  void Emit(const Node& node);
  uint32_t AddInst(Inst inst) {
    program_.push_back(inst);
    return static_cast<uint32_t>(program_.size() - 1);
  }

  std::string pattern_;
  std::vector<CharClass> classes_;
  std::vector<Inst> program_;
};

}  // namespace riffle::protocol
