// Standard base64 (RFC 4648 alphabet, '=' padding) as Kinesis uses it for
// blob members (`Data`) in JSON bodies.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace riffle::protocol {

// Encodes `bytes` with padding. Never fails.
std::string Base64Encode(std::string_view bytes);

// Appends the encoding of `bytes` to `*out` (no intermediate string).
void Base64EncodeAppend(std::string_view bytes, std::string* out);

// Decodes canonical padded base64: length a multiple of 4, only alphabet
// characters, at most two trailing '=', and zero unused bits in the last
// quantum (what AWS's JSON deserializer accepts). Returns nullopt otherwise.
// The empty string decodes to empty bytes.
std::optional<std::string> Base64Decode(std::string_view text);

// For text that Base64Decode rejects: the reason as AWS words it after
// "'<text>' can not be converted to a Blob: ", e.g.
// "Base64 encoded length is expected a multiple of 4 bytes but found: 5".
// Returns an empty string if `text` is valid.
std::string Base64DecodeErrorDetail(std::string_view text);

}  // namespace riffle::protocol
