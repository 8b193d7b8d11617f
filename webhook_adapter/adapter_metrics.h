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
//       (a bad or missing signature; for Exotel and Bolna, a bad or missing webhook token)
//   callcontrol_adapter_daemon_errors_total{code}            counter: reports the daemon did not
//       acknowledge, by gRPC status name (e.g. "UNAVAILABLE")
// `provider` is twilio, telnyx, exotel, bolna, or unknown for a /webhooks/ path naming none of
// them; `route` is status, recording, voice, clone-status (Twilio), webhook (the one route of
// Telnyx and Bolna) or unknown (a path no route serves). Only /webhooks/ requests count as
// webhooks: /healthz and /metrics do not, nor do the answers the HTTP server gives by itself
// (413 too large, 503 while shutting down).
// Every family is exposed from the start: code="200" of each served route, the signature failures
// of each provider and the daemon errors UNAVAILABLE, DEADLINE_EXCEEDED and UNAUTHENTICATED exist
// at 0; other series appear on first use.
// Thread-safe.
class AdapterMetrics {
 public:
  enum class Provider { kTwilio, kTelnyx, kExotel, kBolna, kUnknown };
  static constexpr size_t kProviderCount = 5;

  // A (provider, route) pair.
  enum class Route {
    kTwilioStatus,
    kTwilioRecording,
    kTwilioVoice,
    kTwilioCloneStatus,
    kTelnyxWebhook,
    kExotelStatus,
    kBolnaWebhook,
    kTwilioUnknown,
    kTelnyxUnknown,
    kExotelUnknown,
    kBolnaUnknown,
    kUnknown,
  };
  static constexpr size_t kRouteCount = 12;

  AdapterMetrics();
  AdapterMetrics(const AdapterMetrics&) = delete;
  AdapterMetrics& operator=(const AdapterMetrics&) = delete;

  // A webhook request arrived (in flight + 1).
  void WebhookReceived() { in_flight_->Increment(); }
  // The webhook received `elapsed` ago on `route` was answered `http_status` (in flight - 1).
  void WebhookAnswered(Route route, int http_status, std::chrono::steady_clock::duration elapsed);
  // A webhook of `provider` (not kUnknown) was refused for its signature or token.
  void SignatureFailure(Provider provider) {
    signature_failures_[static_cast<size_t>(provider)]->Increment();
  }
  // The daemon answered a report with `code` (not OK).
  void DaemonError(absl::StatusCode code);

  // The provider of a route.
  static Provider ProviderOf(Route route);

  // Every metric in the text exposition format 0.0.4 (serve as kPrometheusContentType).
  std::string Serialize() const;

 private:
  // HTTP statuses the adapter answers; each has a slot per route, filled on first use.
  static constexpr std::array<int, 8> kKnownHttpStatuses = {200, 400, 403, 404, 405, 413, 500, 503};
  // gRPC / absl status codes 0..16.
  static constexpr size_t kStatusCodeCount = 17;

  struct RouteSeries {
    std::array<std::atomic<prometheus::Counter*>, kKnownHttpStatuses.size()> by_status{};
  };

  prometheus::Counter& WebhookCounter(Route route, int http_status);
  prometheus::Counter& DaemonErrorCounter(absl::StatusCode code);

  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& webhooks_;
  prometheus::Family<prometheus::Counter>& daemon_errors_family_;
  prometheus::Gauge* in_flight_;
  std::array<prometheus::Histogram*, kProviderCount> durations_{};
  std::array<prometheus::Counter*, kProviderCount> signature_failures_{};
  std::array<RouteSeries, kRouteCount> routes_;
  std::array<std::atomic<prometheus::Counter*>, kStatusCodeCount> daemon_errors_{};
};

}  // namespace callcontrol::webhook_adapter
