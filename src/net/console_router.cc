#include "net/console_router.h"

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "handlers/handler_support.h"
#include "handlers/traffic_meter.h"
#include "net/console_assets.h"
#include "protocol/error_render.h"
#include "protocol/json_writer.h"

namespace riffle::net {

namespace {

constexpr std::string_view kPrefix = "/console";
constexpr std::string_view kRatesPath = "api/rates";
// The page loads its own files and calls the API on this origin only.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

HttpResponse Plain(int status, std::string_view body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::string(body);
  return r;
}

// True when a comma-separated header value lists `token` (case-insensitive,
// ignoring parameters such as ";q=1"; "q=0" is taken as a refusal).
bool ListsToken(std::string_view header, std::string_view token) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.size() != token.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = (name[i] | 0x20) == (token[i] | 0x20);
    }
    if (!same) continue;
    size_t q = item.find("q=", semi == std::string_view::npos ? item.size() : semi);
    if (q == std::string_view::npos) return true;
    std::string weight(item.substr(q + 2));
    return std::strtod(weight.c_str(), nullptr) > 0;
  }
  return false;
}

// If-None-Match lists `etag` (or is "*").
bool Matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.find('*') != std::string_view::npos) return true;
  size_t at = if_none_match.find(etag);
  return at != std::string_view::npos;
}

HttpResponse Asset(const HttpRequest& request, const ConsoleAsset& asset, bool head) {
  HttpResponse r;
  r.headers.emplace_back("ETag", std::string(asset.etag));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (Matches(request.Header("if-none-match"), asset.etag)) {
    r.status = 304;
    return r;
  }
  r.headers.emplace_back("Content-Type", std::string(asset.content_type));
  if (asset.content_type.starts_with("text/html")) {
    r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  }
  bool gzip = ListsToken(request.Header("accept-encoding"), "gzip");
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  if (!head) r.body = std::string(gzip ? asset.gzip : asset.identity);
  return r;
}

}  // namespace

ConsoleRouter::ConsoleRouter(ApiRouter& api, const handlers::TrafficMeter& traffic) : api_(api), traffic_(traffic) {}

void ConsoleRouter::Handle(HttpRequest request, ResponseSender send) {
  bool head = request.method == "HEAD";
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  bool ours = (request.method == "GET" || head) &&
              (path == kPrefix || (path.starts_with(kPrefix) && path[kPrefix.size()] == '/'));
  if (!ours) return api_.Handle(std::move(request), std::move(send));

  if (path == kPrefix) {
    HttpResponse r = Plain(301, "");
    r.headers.emplace_back("Location", "/console/");
    return send(std::move(r));
  }
  std::string_view file = path.substr(kPrefix.size() + 1);
  if (file == kRatesPath) return send(Rates(request));
  if (file.empty()) file = "index.html";
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.path == file) return send(Asset(request, asset, head));
  }
  if (ConsoleAssets().empty()) {
    return send(Plain(404, "This riffle was built without its web console (cmake -DRIFFLE_CONSOLE=OFF).\n"));
  }
  send(Plain(404, "Not found\n"));
}

// {"streams":[{"name":"orders","points":[[END_MS, DURATION_MS, RECORDS_IN,
// BYTES_IN, RECORDS_OUT, BYTES_OUT], ...]}, ...]}: what was counted in each
// interval (about a second) of the last minute, oldest first.
HttpResponse ConsoleRouter::Rates(const HttpRequest& request) const {
  // Rates are what DescribeStreamSummary would show of each stream: with
  // --credentials, only the streams the caller may describe are listed.
  protocol::ApiResult<handlers::Context> context = api_.Authorize(request, "DescribeStreamSummary");
  HttpResponse r;
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Content-Type", "application/json");
  if (!context.ok()) {
    r.status = context.error().http_status;
    r.body = protocol::RenderErrorJson(context.error());
    return r;
  }
  protocol::JsonWriter json;
  json.BeginObject();
  json.Key("streams");
  json.BeginArray();
  const handlers::RequestScope& scope = context.value().scope;
  const handlers::Reply ignore = [](protocol::ApiResult<std::string>) {};
  for (const auto& stream : traffic_.Rates(scope.account_id, scope.region)) {
    if (!handlers::AuthorizeStream(context.value(), {scope.account_id, scope.region, stream.name}, ignore)) continue;
    json.BeginObject();
    json.Key("name");
    json.String(stream.name);
    json.Key("points");
    json.BeginArray();
    for (const auto& p : stream.points) {
      json.BeginArray();
      json.Int(p.end_ms);
      json.Int(p.duration_ms);
      for (uint64_t v : {p.records_in, p.bytes_in, p.records_out, p.bytes_out}) json.Int(static_cast<int64_t>(v));
      json.EndArray();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  r.body = json.Take();
  return r;
}

}  // namespace riffle::net
