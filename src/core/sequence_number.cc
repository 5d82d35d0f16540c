#include "core/sequence_number.h"

#include "core/hash_key.h"

#include <algorithm>

namespace riffle::core {

namespace {

using uint128 = unsigned __int128;

// A 192-bit unsigned integer: hi holds bits 128..191, lo bits 0..127.
struct U192 {
  uint64_t hi = 0;
  uint128 lo = 0;
};

// Sets `width` (<= 64) bits at `offset` to `value`; fields may straddle
// bit 128.
void SetBits(U192& v, int offset, int width, uint64_t value) {
  if (width < 64) value &= (uint64_t{1} << width) - 1;
  if (offset < 128) {
    v.lo |= uint128{value} << offset;
    if (offset + width > 128) v.hi |= value >> (128 - offset);
  } else {
    v.hi |= value << (offset - 128);
  }
}

uint64_t GetBits(const U192& v, int offset, int width) {
  uint64_t value;
  if (offset < 128) {
    value = static_cast<uint64_t>(v.lo >> offset);
    if (offset + width > 128) value |= v.hi << (128 - offset);
  } else {
    value = v.hi >> (offset - 128);
  }
  if (width < 64) value &= (uint64_t{1} << width) - 1;
  return value;
}

constexpr uint64_t kChunk = 10'000'000'000'000'000'000ULL;  // 10^19

// Divides v by 10^19 in place, returning the remainder.
uint64_t DivideChunk(U192& v) {
  // Long division on 64-bit limbs, most significant first.
  uint64_t limbs[3] = {v.hi, static_cast<uint64_t>(v.lo >> 64), static_cast<uint64_t>(v.lo)};
  uint128 remainder = 0;
  for (uint64_t& limb : limbs) {
    uint128 current = (remainder << 64) | limb;
    limb = static_cast<uint64_t>(current / kChunk);
    remainder = current % kChunk;
  }
  v.hi = limbs[0];
  v.lo = (uint128{limbs[1]} << 64) | limbs[2];
  return static_cast<uint64_t>(remainder);
}

bool IsZero(const U192& v) { return v.hi == 0 && v.lo == 0; }

}  // namespace

std::string SequenceNumber::ToString() const {
  U192 v;
  SetBits(v, 184, 4, 2);
  SetBits(v, 148, 36, incarnation);
  SetBits(v, 144, 4, shard_index & 0xF);
  SetBits(v, 80, 63, counter);
  SetBits(v, 36, 36, seconds);
  SetBits(v, 4, 32, shard_index);
  SetBits(v, 0, 4, 2);
  std::string digits;
  while (!IsZero(v)) {
    uint64_t chunk = DivideChunk(v);
    for (int i = 0; i < 19; ++i) {
      digits.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::reverse(digits.begin(), digits.end());
  return digits;
}

const std::string& SequenceNumberFormatter::Format(const SequenceNumber& s) {
  // 2^80: one step of the counter field (bits 80..142).
  static constexpr std::string_view kCounterStep = "1208925819614629174706176";
  // Every number has 56 digits (the version nibble fixes the top), so adding
  // a step never lengthens the decimal.
  static constexpr size_t kDigits = 56;
  const bool next = has_last_ && s.incarnation == last_.incarnation && s.shard_index == last_.shard_index &&
                    s.seconds == last_.seconds && last_.counter < SequenceNumber::kMaxCounter &&
                    s.counter == last_.counter + 1 && digits_.size() == kDigits;
  if (next) {
    int carry = 0;
    size_t i = kDigits;
    for (size_t k = kCounterStep.size(); k > 0; --k) {
      --i;
      int d = (digits_[i] - '0') + (kCounterStep[k - 1] - '0') + carry;
      carry = d >= 10;
      digits_[i] = static_cast<char>('0' + d - (carry ? 10 : 0));
    }
    while (carry && i > 0) {
      --i;
      int d = (digits_[i] - '0') + 1;
      carry = d >= 10;
      digits_[i] = static_cast<char>('0' + d - (carry ? 10 : 0));
    }
  } else {
    digits_ = s.ToString();
  }
  last_ = s;
  has_last_ = true;
  return digits_;
}

namespace {

// The value of a decimal below 2^188 without leading zeros; nullopt otherwise.
std::optional<U192> ParseValue(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 57) return std::nullopt;
  if (decimal.size() > 1 && decimal[0] == '0') return std::nullopt;
  U192 v;
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    // v = v * 10 + digit, on limbs.
    uint64_t limbs[3] = {v.hi, static_cast<uint64_t>(v.lo >> 64), static_cast<uint64_t>(v.lo)};
    uint128 carry = static_cast<unsigned>(c - '0');
    for (int i = 2; i >= 0; --i) {
      uint128 product = uint128{limbs[i]} * 10 + carry;
      limbs[i] = static_cast<uint64_t>(product);
      carry = product >> 64;
    }
    if (carry != 0) return std::nullopt;
    v.hi = limbs[0];
    v.lo = (uint128{limbs[1]} << 64) | limbs[2];
  }
  if ((v.hi >> 60) != 0) return std::nullopt;  // >= 2^188
  return v;
}

}  // namespace

std::optional<SequenceNumber> SequenceNumber::Parse(std::string_view decimal) {
  std::optional<U192> parsed = ParseValue(decimal);
  if (!parsed) return std::nullopt;
  const U192& v = *parsed;
  if (GetBits(v, 184, 4) != 2 || GetBits(v, 0, 4) != 2) return std::nullopt;
  if (GetBits(v, 72, 8) != 0) return std::nullopt;
  if (GetBits(v, 143, 1) != 0) return std::nullopt;  // counter is 63 bits
  SequenceNumber s;
  s.incarnation = GetBits(v, 148, 36);
  s.counter = GetBits(v, 80, 63);
  s.seconds = GetBits(v, 36, 36);
  s.shard_index = static_cast<uint32_t>(GetBits(v, 4, 32));
  if (GetBits(v, 144, 4) != (s.shard_index & 0xF)) return std::nullopt;
  return s;
}

bool AcceptedForOrdering(std::string_view decimal, uint64_t now_seconds) {
  if (auto seq = SequenceNumber::Parse(decimal)) return seq->seconds <= now_seconds;
  std::optional<U192> v = ParseValue(decimal);
  // The version-1 layout: version nibble 2 on top, 1 at the bottom, the
  // record's time (seconds) in bits 100..135.
  if (!v || GetBits(*v, 184, 4) != 2 || GetBits(*v, 0, 4) != 1) return false;
  return GetBits(*v, 100, 36) <= now_seconds;
}

std::optional<LegacySequenceNumber> LegacySequenceNumber::Parse(std::string_view decimal) {
  if (decimal.empty() || decimal.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  auto value = HashKey::FromDecimal(decimal);  // any 128-bit decimal
  if (!value) return std::nullopt;
  constexpr uint128 kOffset = uint128{1} << 124;
  uint128 v = value->value();
  v = kOffset | (v & (kOffset - 1));  // Kinesis prints the value with version nibble 1
  LegacySequenceNumber out;
  out.decimal = HashKey(v).ToDecimal();
  out.shard_index = static_cast<uint32_t>(v & 0xFFFF);
  out.date_too_large = static_cast<uint64_t>((v >> 88) & ((uint128{1} << 36) - 1)) >= 16025175000ULL;
  return out;
}

}  // namespace riffle::core
