// SequenceNumber: the identity of a record within a stream, in the format
// Kinesis clients (KCL's validator among them) accept.
//
// Printed as the decimal of a 188-bit value (always 56 digits):
//
//   bits 184..187  2                      (format version, as Kinesis prints it)
//   bits 148..183  stream incarnation     (36 bits; unique per CreateStream)
//   bits 144..147  shard index & 0xF
//   bits  80..143  shard counter          (63 bits; strictly increasing per shard)
//   bits  72..79   0
//   bits  36..71   arrival time, seconds  (36 bits)
//   bits   4..35   shard index            (32 bits)
//   bits   0..3    2                      (format version)
//
// Within a shard, order is the counter's order (the bits above it are fixed
// for the shard). A re-created stream has a larger incarnation, so its numbers
// are larger than any of the deleted stream's. DO NOT CHANGE: persisted in
// clients' checkpoints; see docs/storage-format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace riffle::core {

struct SequenceNumber {
  static constexpr uint64_t kMaxIncarnation = (uint64_t{1} << 36) - 1;
  static constexpr uint64_t kMaxCounter = (uint64_t{1} << 63) - 1;
  static constexpr uint64_t kMaxSeconds = (uint64_t{1} << 36) - 1;

  uint64_t incarnation = 0;
  uint32_t shard_index = 0;
  uint64_t counter = 0;
  uint64_t seconds = 0;

  // The 56-digit decimal form.
  std::string ToString() const;
  // Parses a decimal produced by ToString(); nullopt for anything else
  // (wrong version nibbles, non-digits, too large, inconsistent shard bits).
  static std::optional<SequenceNumber> Parse(std::string_view decimal);

  friend bool operator==(const SequenceNumber&, const SequenceNumber&) = default;
};

// Formats the sequence numbers of consecutive records fast: when a number
// differs from the previous one only by counter + 1 (records of one shard
// batch), its decimal is the previous one plus 2^80, added digit by digit
// instead of dividing a 192-bit value. Same output as ToString(). One per
// loop; not thread-safe.
class SequenceNumberFormatter {
 public:
  // The decimal of `s`; valid until the next call.
  const std::string& Format(const SequenceNumber& s);

 private:
  bool has_last_ = false;
  SequenceNumber last_;
  std::string digits_;
};

// Whether Kinesis takes `decimal` as PutRecord's SequenceNumberForOrdering
// at `now_seconds`: a number of the layout above, or of Kinesis's version-1
// layout (version nibble 1 at the bottom), whose time is not in the future
// (kinesalite test/putRecord.js, recorded from real Kinesis: "all f" and
// "all 0 with version 1" succeed, a future time or another version does not).
bool AcceptedForOrdering(std::string_view decimal, uint64_t now_seconds);

// A sequence number in Kinesis's early (version 0) 128-bit layout, which
// Kinesis still decodes to word its errors: the top nibble of the 128-bit
// value is replaced by 1 (so "0" reads as 2^124); the shard index is the low
// 16 bits and the shard creation time (seconds) bits 88..123. Riffle never issues these; it only uses them
// to answer GetShardIterator as Kinesis does (kinesalite
// test/getShardIterator.js, recorded from real Kinesis).
struct LegacySequenceNumber {
  std::string decimal;  // the value with version nibble 1
  uint32_t shard_index = 0;
  bool date_too_large = false;  // creation time >= 16025175000 s: "is invalid."

  // nullopt unless `decimal` is digits only and below 2^128.
  static std::optional<LegacySequenceNumber> Parse(std::string_view decimal);
};

}  // namespace riffle::core
