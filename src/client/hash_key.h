// HashKey: a Kinesis hash key, the unsigned 128-bit integer that places a
// record in the shard whose hash key range holds it: MD5 of the partition
// key read big-endian, or an explicit hash key in decimal. Internal to
// libriffle-kinesis.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace riffle::kinesis::internal {

using HashKey = unsigned __int128;

// MD5(partition_key) as a big-endian 128-bit number.
HashKey HashKeyOfPartitionKey(std::string_view partition_key);

// A decimal 0..2^128-1 without sign or leading zeros ("0" itself allowed),
// as the API's HashKey pattern has it; nullopt otherwise.
std::optional<HashKey> ParseHashKey(std::string_view decimal);

std::string FormatHashKey(HashKey key);

// The 16-byte MD5 digest of `data`.
std::string Md5(std::string_view data);

}  // namespace riffle::kinesis::internal
