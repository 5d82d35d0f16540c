// ConsoleRouter: the web console on Riffle's own ports, in front of the API.
//
// GET and HEAD requests under /console are answered here; every other
// request goes to the API router unchanged.
//   /console                 301 to /console/ (the page's relative URLs need it)
//   /console/                the page (index.html); other files by name
//   /console/api/rates       the traffic of the caller's streams in each second of the last minute
//                            (handlers/traffic_meter.h) as JSON, for the
//                            page's charts; authorized like an API call
//                            (ApiRouter::Authorize), so it shows the streams
//                            of the account and region the request is
//                            signed for
// Files carry a strong ETag (If-None-Match gets 304), Cache-Control:
// no-cache (revalidated on each load, so a new binary's page is seen at
// once), gzip when the client accepts it, and a Content-Security-Policy
// that lets the page talk only to this origin. Unknown files get 404.
// Thread-safe.
#pragma once

#include "net/api_router.h"
#include "net/http_types.h"

namespace riffle::handlers {
class TrafficMeter;
}  // namespace riffle::handlers

namespace riffle::net {

class ConsoleRouter final : public RequestHandler {
 public:
  // `api` and `traffic` must outlive this.
  ConsoleRouter(ApiRouter& api, const handlers::TrafficMeter& traffic);
  void Handle(HttpRequest request, ResponseSender send) override;

 private:
  HttpResponse Rates(const HttpRequest& request) const;

  ApiRouter& api_;
  const handlers::TrafficMeter& traffic_;
};

}  // namespace riffle::net
