#include "net/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "protocol/cbor_transcode.h"
#include "protocol/json_writer.h"
#include "protocol/request_summary.h"

namespace riffle::net {
namespace {

constexpr std::string_view kCbor = "application/x-amz-cbor-1.1";

bool IsCbor(std::string_view content_type) { return content_type.substr(0, kCbor.size()) == kCbor; }

// The body as JSON: a CBOR body transcoded ("" when it is not CBOR's map).
std::string AsJson(std::string_view content_type, const std::string& body) {
  if (!IsCbor(content_type)) return body;
  auto json = protocol::CborRequestToJson(body, nullptr);
  return json.ok() ? std::move(json).value() : std::string();
}

std::string_view HeaderOf(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return {};
}

// The error type a response carries ("" for a success).
std::string ErrorType(const HttpResponse& response) {
  if (response.status < 400 || response.stream) return "";
  const std::string& body = response.body;
  if (!body.empty() && body[0] == '<') {  // <Type>...</Type> or <Type/>
    const size_t end = body.find_first_of(">/ \n", 1);
    return body.substr(1, end == std::string::npos ? std::string::npos : end - 1);
  }
  return protocol::ErrorTypeOf(AsJson(HeaderOf(response, "content-type"), body));
}

// The SigV4 credential's access key id ("" without one).
std::string AccessKey(std::string_view authorization) {
  const size_t at = authorization.find("Credential=");
  if (at == std::string_view::npos) return "";
  std::string_view rest = authorization.substr(at + 11);
  return std::string(rest.substr(0, rest.find_first_of("/, ")));
}

// 2026-12-05T12:00:00.123Z
std::string Rfc3339(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

// A text field: "-" when empty; spaces and control characters as '_' (one
// field stays one word).
std::string Word(std::string_view value) {
  if (value.empty()) return "-";
  std::string out(value);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) c = '_';
  }
  return out;
}

struct Entry {
  std::string time, operation, stream, access_key;
  size_t bytes_in = 0;
  std::chrono::steady_clock::time_point start;
};

std::string Line(const Entry& e, const HttpResponse& response, bool json) {
  const int64_t latency_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - e.start).count();
  const std::string_view request_id = HeaderOf(response, "x-amzn-RequestId");
  const std::string error = ErrorType(response);
  const size_t bytes_out = response.stream ? 0 : response.body.size();
  if (json) {
    protocol::JsonWriter w;
    w.BeginObject();
    w.Key("time"), w.String(e.time);
    w.Key("request_id"), w.String(request_id);
    w.Key("operation"), w.String(e.operation);
    w.Key("stream"), w.String(e.stream);
    w.Key("status"), w.Int(response.status);
    w.Key("error"), w.String(error);
    w.Key("latency_us"), w.Int(latency_us);
    w.Key("bytes_in"), w.Int(static_cast<int64_t>(e.bytes_in));
    w.Key("bytes_out"), w.Int(static_cast<int64_t>(bytes_out));
    w.Key("access_key"), w.String(e.access_key);
    w.EndObject();
    return w.Take() + "\n";
  }
  return e.time + " id=" + Word(request_id) + " op=" + Word(e.operation) + " stream=" + Word(e.stream) +
         " status=" + std::to_string(response.status) + " error=" + Word(error) +
         " latency_us=" + std::to_string(latency_us) + " in=" + std::to_string(e.bytes_in) +
         " out=" + std::to_string(bytes_out) + " key=" + Word(e.access_key) + "\n";
}

int OpenFile(const std::string& path) {
  if (path == "-") return dup(STDERR_FILENO);
  return open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

}  // namespace

StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path, bool json) {
  const int fd = OpenFile(path);
  if (fd < 0) return Status(Errc::kInvalidArgument, "cannot open the access log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<AccessLog>(new AccessLog(path, json, fd));
}

AccessLog::~AccessLog() { close(fd_); }

Status AccessLog::Reopen() {
  const int fd = OpenFile(path_);
  if (fd < 0) return Status(Errc::kInvalidArgument, "cannot open the access log " + path_ + ": " + std::strerror(errno));
  std::lock_guard<std::mutex> lock(mu_);
  close(fd_);
  fd_ = fd;
  return Status::Ok();
}

void AccessLog::Write(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  // A short write or an error (a full disk) loses the line, never the request.
  [[maybe_unused]] ssize_t written = write(fd_, line.data(), line.size());
}

ResponseSender AccessLog::Wrap(const HttpRequest& request, std::string_view operation, ResponseSender send) {
  Entry entry;
  entry.start = std::chrono::steady_clock::now();
  entry.time = Rfc3339(std::chrono::system_clock::now());
  entry.operation = std::string(operation);
  entry.stream = protocol::StreamOfRequest(AsJson(request.Header("content-type"), request.body));
  entry.access_key = AccessKey(request.Header("authorization"));
  entry.bytes_in = request.body.size();
  return [this, entry = std::move(entry), send = std::move(send)](HttpResponse response) {
    Write(Line(entry, response, json_));
    send(std::move(response));
  };
}

}  // namespace riffle::net
