// The daemon's Prometheus scrape endpoint: serves GET /metrics (text exposition format 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/) and GET /healthz over our own
// HTTP server (common/http/http_server.h), from prometheus-cpp collectables (a Registry, a
// CallbackCollectable...). prometheus-cpp's pull component (civetweb Exposer) is not used.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/collectable.h"

namespace callcontrol::http {
class HttpServer;
}  // namespace callcontrol::http

namespace callcontrol::observability {

// Content-Type of a /metrics answer.
inline constexpr char kPrometheusTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

class MetricsEndpoint {
 public:
  // Binds `listen` ("host:port"; port 0 picks a free port, see port()) and serves:
  //  - GET /metrics: 200, kPrometheusTextContentType, prometheus::TextSerializer over the
  //    families every live collectable returns, in the order given (expired weak_ptrs are
  //    skipped). A family whose metric name or a label name is invalid, or whose name an earlier
  //    family already used, is left out (and logged) so the page stays parseable; `\` and line
  //    feeds in HELP texts are escaped (prometheus-cpp 1.0.1 writes them raw). 500 if a
  //    Collect() throws.
  //  - GET /healthz: 200 "ok\n".
  //  - 404 for any other path, 405 (with `Allow: GET`) for another method on these paths.
  // Collect() runs on the endpoint's single io thread, once per scrape.
  // Errors: kInvalidArgument for a malformed address, kUnavailable if it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& listen, std::vector<std::weak_ptr<prometheus::Collectable>> collectables);

  ~MetricsEndpoint();  // calls Shutdown()
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The bound port.
  int port() const;

  // Stops serving (answers a scrape in flight, up to 1 s), closes connections and frees the
  // port. Idempotent.
  void Shutdown();

 private:
  MetricsEndpoint(std::unique_ptr<http::HttpServer> server, int port);

  const std::unique_ptr<http::HttpServer> server_;
  const int port_;
};

}  // namespace callcontrol::observability
