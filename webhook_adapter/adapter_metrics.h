// The adapter's Prometheus metrics (prometheus-cpp core: a Registry and the text serializer; our
// own HTTP server serves them at GET /metrics). The router records every webhook through one
// AdapterMetrics; the series it touches per request are resolved once, so the hot path is a few
// atomic adds and one histogram observation.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace callcontrol::webhook_adapter {

// The Content-Type of the text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Metrics (labels in braces):
//   callcontrol_adapter_webhooks_total{provider,route,code}  counter: webhook requests answered,
//       by the HTTP status answered (`code`, e.g. "200", "403", "503")
//   callcontrol_adapter_webhook_duration_seconds{provider}   histogram: request received ->
//       answered (the daemon's round trip included)
//   callcontrol_adapter_webhooks_in_flight                   gauge: webhooks received and not yet
//       answered
//   callcontrol_adapter_signature_failures_total{provider}   counter: webhooks refused with 403
//       (a bad or missing signature or webhook token)
//   callcontrol_adapter_daemon_errors_total{code}            counter: reports the daemon did not
//       acknowledge, by gRPC status name (e.g. "UNAVAILABLE")
// `provider` is a provider's registry name (the list given at construction, built from
// providers/registry.h), or unknown for a /webhooks/ path naming none of them; `route` is one of
// that provider's route labels (WebhookHandler::route_label: "status", "webhook", ...) or unknown
// (a path no route of the provider serves). Only /webhooks/ requests count as webhooks: /healthz
// and /metrics do not, nor do the answers the HTTP server gives by itself (413 too large, 503
// while shutting down).
// Every family is exposed from the start: code="200" of each served route, the signature failures
// of each provider and the daemon errors UNAVAILABLE, DEADLINE_EXCEEDED and UNAUTHENTICATED exist
// at 0; other series appear on first use.
// Thread-safe.
class AdapterMetrics {
 public:
  // The label values of one provider: its registry name and its served routes' labels, in the
  // order of its handler's actions().
  struct ProviderRoutes {
    std::string provider;
    std::vector<std::string> routes;
  };

  // One (provider, route) label pair; from ServedRoute(), UnknownRoute() or
  // UnknownProviderRoute() of the same AdapterMetrics.
  struct Route {
    size_t index = 0;
  };

  // `providers`: every provider with a handler, in registry order (names distinct).
  explicit AdapterMetrics(const std::vector<ProviderRoutes>& providers);
  AdapterMetrics(const AdapterMetrics&) = delete;
  AdapterMetrics& operator=(const AdapterMetrics&) = delete;

  // Route `route` (< providers[provider].routes.size()) of providers[provider].
  Route ServedRoute(size_t provider, size_t route) const {
    return Route{first_route_[provider] + route};
  }
  // The "unknown" route of providers[provider]: a path under it that no route serves.
  Route UnknownRoute(size_t provider) const { return Route{first_route_[provider + 1] - 1}; }
  // provider="unknown", route="unknown": a /webhooks/ path naming no provider.
  Route UnknownProviderRoute() const { return Route{route_count_ - 1}; }

  // A webhook request arrived (in flight + 1).
  void WebhookReceived() { in_flight_->Increment(); }
  // The webhook received `elapsed` ago on `route` was answered `http_status` (in flight - 1).
  void WebhookAnswered(Route route, int http_status, std::chrono::steady_clock::duration elapsed);
  // A webhook of providers[provider] was refused for its signature or token.
  void SignatureFailure(size_t provider) { signature_failures_[provider]->Increment(); }
  // The daemon answered a report with `code` (not OK).
  void DaemonError(absl::StatusCode code);

  // The provider label and the route label of `route`.
  const std::string& ProviderLabel(Route route) const;
  const std::string& RouteLabel(Route route) const;

  // Every metric in the text exposition format 0.0.4 (serve as kPrometheusContentType).
  std::string Serialize() const;

 private:
  // HTTP statuses the adapter answers; each has a slot per route, filled on first use.
  static constexpr std::array<int, 8> kKnownHttpStatuses = {200, 400, 403, 404, 405, 413, 500, 503};
  // gRPC / absl status codes 0..16.
  static constexpr size_t kStatusCodeCount = 17;

  struct RouteSeries {
    size_t provider = 0;  // index into provider_labels_
    std::string route;    // the route label
    std::array<std::atomic<prometheus::Counter*>, kKnownHttpStatuses.size()> by_status{};
  };

  prometheus::Counter& WebhookCounter(Route route, int http_status);
  prometheus::Counter& DaemonErrorCounter(absl::StatusCode code);

  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& webhooks_;
  prometheus::Family<prometheus::Counter>& daemon_errors_family_;
  prometheus::Gauge* in_flight_;
  // The providers' names, then "unknown".
  std::vector<std::string> provider_labels_;
  // Indexed like provider_labels_.
  std::vector<prometheus::Histogram*> durations_;
  // Indexed like the providers given (none for "unknown": signatures are only checked on the
  // routes of a known provider).
  std::vector<prometheus::Counter*> signature_failures_;
  // Provider p's routes are [first_route_[p], first_route_[p + 1]): its served routes, then its
  // "unknown" route; the last route is the unknown provider's.
  std::vector<size_t> first_route_;
  size_t route_count_ = 0;
  std::unique_ptr<RouteSeries[]> routes_;
  std::array<std::atomic<prometheus::Counter*>, kStatusCodeCount> daemon_errors_{};
};

}  // namespace callcontrol::webhook_adapter
