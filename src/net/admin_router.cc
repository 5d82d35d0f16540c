#include "net/admin_router.h"

namespace riffle::net {
namespace {

HttpResponse Text(int status, std::string body, const char* content_type = "text/plain; charset=utf-8") {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", content_type);
  response.headers.emplace_back("Cache-Control", "no-store");
  response.body = std::move(body);
  return response;
}

// The value of `name` in the target's query string ("" when absent); no
// percent-decoding (directory names are passed as they are).
std::string QueryValue(const std::string& target, const std::string& name) {
  const size_t query = target.find('?');
  if (query == std::string::npos) return "";
  size_t pos = query + 1;
  while (pos <= target.size()) {
    size_t end = target.find('&', pos);
    if (end == std::string::npos) end = target.size();
    const std::string pair = target.substr(pos, end - pos);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

}  // namespace

AdminRouter::AdminRouter(AdminHooks hooks) : hooks_(std::move(hooks)) {}

void AdminRouter::Handle(HttpRequest request, ResponseSender send) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/backup") {
    if (request.method != "POST") return send(Text(405, "use POST\n"));
    if (!hooks_.backup) return send(Text(501, "this server cannot make backups\n"));
    const std::string dir = QueryValue(request.target, "dir");
    if (dir.empty()) return send(Text(400, "missing ?dir=DIRECTORY\n"));
    Status made = hooks_.backup(dir);
    if (made.ok()) return send(Text(200, "backup written to " + dir + "\n"));
    const int status = made.code() == Errc::kInvalidArgument ? 400 : made.code() == Errc::kValidation ? 501 : 500;
    return send(Text(status, made.message() + "\n"));
  }
  if (request.method != "GET" && request.method != "HEAD") return send(Text(405, "use GET\n"));
  if (path == "/health/live") return send(Text(200, "live\n"));
  if (path == "/health/ready") {
    std::string reason = hooks_.not_ready ? hooks_.not_ready() : "";
    return send(reason.empty() ? Text(200, "ready\n") : Text(503, "not ready: " + reason + "\n"));
  }
  if (path == "/metrics") {
    std::string body;
    if (hooks_.metrics) hooks_.metrics(body);
    return send(Text(200, std::move(body), "text/plain; version=0.0.4; charset=utf-8"));
  }
  send(Text(404, "not found: /health/live, /health/ready, /metrics, POST /backup?dir=DIR\n"));
}

}  // namespace riffle::net
