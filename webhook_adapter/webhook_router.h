// Routes the adapter's HTTP requests: provider webhooks (each provider's WebhookHandler,
// providers/provider.h, verifies and reads them; the router makes the daemon call and answers
// once the daemon has answered), the liveness probe and the Prometheus metrics. Called by the
// HTTP server on its io threads; never blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "common/config/config.h"
#include "common/http/http_server.h"
#include "providers/provider.h"
#include "webhook_adapter/adapter_metrics.h"
#include "webhook_adapter/clone_flow.h"
#include "webhook_adapter/daemon_client.h"

namespace callcontrol::webhook_adapter {

// The HTTP status the adapter answers a webhook with when the daemon answered `code`: OK -> 200;
// UNAVAILABLE, DEADLINE_EXCEEDED -> 503 (the provider retries); INVALID_ARGUMENT -> 400;
// NOT_FOUND -> 404; anything else (UNAUTHENTICATED included: a misconfigured adapter) -> 500.
int HttpStatusForDaemonCode(absl::StatusCode code);

// The webhook routes of every provider of the registry (providers/registry.h) that has a
// WebhookHandler, for people (webhook-adapter --help), one line each:
//   "  POST /webhooks/{provider}/{tenant}[/{action}|{action}...]  <display name>: <how verified>"
std::string WebhookRoutesHelp();

// Routes:
//   POST /webhooks/{provider}/{tenant}[/{action}][?query]  (providers/webhook_urls.h) A webhook
//        of the provider of the registry named {provider}, to one of its handler's actions()
//        ("" for a provider served at the tenant itself). The handler verifies and reads it
//        (its refusals: 404 unknown tenant, 405 not POST, 403 failed verification, 400
//        unreadable content; see providers/<name>/<name>_webhook_handler.h); then, by its
//        WebhookOutcome:
//        - kRespond: its answer, at once;
//        - kReport: ReportProviderEvent, then its answer once the daemon acknowledged, else the
//          status HttpStatusForDaemonCode gives (body "<CODE> from callcontrold");
//        - kStartInbound, kCloneProgress: StartInboundCall / GetCloneProgress, answered with the
//          clone flow's TwiML (clone_flow.h) or, for a daemon error the flow does not answer,
//          HttpStatusForDaemonCode as above.
//        A path naming no provider with a handler, or no action of its handler, gets 404.
//   GET  /healthz  200 {"status":"ok","daemon":"<channel state>"}; never fails because of the
//        daemon.
//   GET  /metrics  200, the AdapterMetrics in the Prometheus text format (kPrometheusContentType).
//   anything else  404.
// When the daemon refuses the adapter's credential (UNAUTHENTICATED: config.daemon
// .internal_api_key differs between the two processes) a webhook gets 500 and an error is
// logged. Every /webhooks/ request is counted in the AdapterMetrics, under its provider and the
// handler's route_label (or "unknown"), and every verification_failed refusal as a signature
// failure of its provider.
// Thread-safe: immutable after construction (but for its metrics, which are thread-safe);
// `daemon` must outlive it.
class WebhookRouter {
 public:
  // `public_url`: the scheme://host[:port] providers reach the adapter at (no trailing slash);
  // signed URLs are checked against public_url + the request target as received. Builds one
  // handler per provider of the registry (each picks its tenants and secrets out of `config`).
  WebhookRouter(const config::Config& config, std::string public_url, DaemonClient* daemon);

  // The http::Handler: answers through `respond`, now or from the daemon call's callback.
  void Handle(http::Request&& request, http::Responder respond) const;

  // The metrics the router records (served at /metrics).
  AdapterMetrics& metrics() const { return *metrics_; }

 private:
  struct Entry {
    const providers::Provider* provider;
    std::unique_ptr<providers::WebhookHandler> handler;
  };

  // What serves a /webhooks/ path: entries_[entry]'s action `action` for `tenant` (a view into
  // the path), counted under `route`. No action when nothing serves it (entry ==
  // entries_.size() when it names no provider with a handler).
  struct Match {
    size_t entry;
    std::optional<size_t> action;
    AdapterMetrics::Route route;
    std::string_view tenant;
  };
  Match MatchWebhook(std::string_view path) const;

  void HandleHealth(const http::Request& request, const http::Responder& respond) const;
  void HandleMetrics(const http::Request& request, const http::Responder& respond) const;
  // Answers `outcome` now (kRespond), or makes the daemon call it asks for and answers from the
  // daemon's reply.
  void CarryOut(providers::WebhookOutcome outcome, http::Responder respond) const;
  // Reports `report` to the daemon and answers `success` once it acknowledged, else the status
  // HttpStatusForDaemonCode gives, logging `what` (the handler's string literal), the
  // tenant and `call_ref` (e.g. "call_sid=CA...").
  void ForwardToDaemon(const char* what, std::string tenant_id, std::string call_ref,
                       internal::v1::ReportProviderEventRequest report, http::Response success,
                       http::Responder respond) const;

  DaemonClient* const daemon_;
  const CloneFlowAnswers clone_flow_;
  // The providers with a handler, in registry order; metrics provider i is entries_[i].
  std::vector<Entry> entries_;
  std::unique_ptr<AdapterMetrics> metrics_;
};

}  // namespace callcontrol::webhook_adapter
