// Object sinks: the two places a channel's delivery can store its objects
// (core/object_sink.h), chosen by `riffle serve --s3-endpoint URL`.
//
//   file:///abs/dir     FileSink: bucket B, key K is the file /abs/dir/B/K.
//                       Written to a ".tmp-" file in the same directory,
//                       fsynced, renamed over the final name, and the
//                       directory fsynced (new directories' parents too), so
//                       a crash leaves the old object or the new one, never
//                       a torn one.
//   http://host:port    S3Sink: one SigV4-signed HTTP/1.1 PUT per object,
//   https://host:port   path-style (PUT /B/K), over TLS for https (system CA
//                       store, host name checked). 30 s limit on each of
//                       connect, TLS handshake, write and read.
//
// Both are thread-safe; Put blocks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "core/object_sink.h"

namespace riffle::app {

// Makes the sink the operator configured with --s3-endpoint:
//  "file:///abs/dir"  -> FileSink: bucket B, key K is stored at /abs/dir/B/K (directories created as needed);
//  "http://host:port" or "https://host:port" -> S3Sink (path-style requests: PUT http://host:port/B/K).
// Credentials for S3: `access_key_id`/`secret_access_key` (may be empty: then the AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY environment variables (with AWS_SESSION_TOKEN when set), else "riffle"/"riffle"),
// `region` for the signature scope (us-east-1 when empty).
// An unparseable URL gives InvalidArgument with a message naming the flag --s3-endpoint.
StatusOr<std::unique_ptr<core::ObjectSink>> MakeObjectSink(const std::string& url, const std::string& region,
                                                           const std::string& access_key_id,
                                                           const std::string& secret_access_key);

// `key` URI-encoded as SigV4 canonicalizes an S3 path: A-Z a-z 0-9 - _ . ~
// kept, '/' kept between segments, every other byte %XX (upper-case hex).
// "a/b c/d+e" -> "a/b%20c/d%2Be".
std::string S3PathEncode(std::string_view key);

}  // namespace riffle::app
