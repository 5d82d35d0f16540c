// AccessLog: one line per API request (--access-log; docs/operations.md),
// written when its response starts: the time, request id, operation,
// stream, HTTP status, error type, latency, bytes in and out, and the
// caller's access key id (from its SigV4 Authorization header; never a
// signature or secret).
//
// As text: `2026-12-05T12:00:00.123Z id=... op=PutRecord stream=orders
// status=200 error=- latency_us=180 in=95 out=110 key=AKID`; as JSON one
// object per line with the members time, request_id, operation, stream,
// status, error, latency_us, bytes_in, bytes_out, access_key ("" for what a
// request did not have). For an event stream (SubscribeToShard) the line is
// written when the stream starts: out and latency cover its first response.
//
// The file is opened for appending; Reopen() (on SIGHUP) opens the path again
// so that a rotated file is let go. Each line is written with one write(2)
// under a mutex. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "net/http_types.h"

namespace riffle::net {

class AccessLog {
 public:
  // `path`: a file, or "-" for standard error. `json`: JSON lines.
  static StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& path, bool json);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Wraps `send` so that the response it sends is logged with `request`.
  // Reads what it needs of `request` now (it may be moved afterwards).
  ResponseSender Wrap(const HttpRequest& request, std::string_view operation, ResponseSender send);

  // Opens the path again (a file moved away by log rotation is let go).
  Status Reopen();

 private:
  AccessLog(std::string path, bool json, int fd) : path_(std::move(path)), json_(json), fd_(fd) {}
  void Write(const std::string& line);

  const std::string path_;
  const bool json_;
  std::mutex mu_;
  int fd_;  // guarded by mu_
};

}  // namespace riffle::net
