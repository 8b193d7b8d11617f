// The provider plug-in interface. Everything callcontrol knows of one telephony provider lives
// in providers/<name>/ behind a `Provider`: its config block, its REST client for the daemon
// (CallClient), its webhook verification and parsing for the adapter (WebhookHandler) and its
// metrics labels. providers/registry.h lists the providers; the daemon, the adapter, config
// loading and metrics iterate over that list instead of branching on provider names.
//
// Adding a provider: docs/architecture.md, "How to add a provider".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"
#include "callcontrol/v1/call_control_service.pb.h"
#include "common/config/config.h"
#include "common/http/http_server.h"

namespace callcontrol::providers {

// ---------------------------------------------------------------------------------------------
// Daemon side: placing and ending calls.

// What a provider answered about a call (to a dial or a hangup), in callcontrol's terms; the
// daemon applies it to the call like a webhook report.
struct CallUpdate {
  v1::ProviderIds provider_ids;  // the ids the provider gave; merged into the call's
  v1::CallStatus status = v1::CALL_STATUS_UNSPECIFIED;  // UNSPECIFIED: no news of the status
  std::string provider_status;                          // the provider's word, verbatim
  int64_t duration_seconds = -1;                        // whole seconds; -1 unknown
};

// One outbound call to place, validated by the daemon (E.164 numbers, sizes) and already
// recorded as QUEUED.
struct DialRequest {
  const config::TenantConfig* tenant = nullptr;  // never null; outlives the request
  std::string call_id;                           // callcontrol's id of the call
  std::string to;                                // E.164
  std::string from;                              // E.164
  std::string twiml;       // TwiML run when answered (providers that run TwiML); may be empty
  std::string public_url;  // config adapter.public_url: base of the callback URLs
                           // (providers/webhook_urls.h)
};

// One provider's REST client as the daemon uses it. Dial and Hangup block (an HTTP round trip of
// up to the client's timeout): call them on a provider worker, never on a gRPC thread. The
// daemon retries a call that returned kUnavailable after a backoff (Hangup always, Dial only when
// dial_retryable()), so both must be safe to repeat in that case. Thread-safe; secrets are never
// logged nor put in a message.
class CallClient {
 public:
  virtual ~CallClient() = default;

  // Checks, before anything is recorded, what of a StartCall this provider cannot do:
  // kFailedPrecondition when the tenant's provider places no calls through an API;
  // kInvalidArgument for a field the provider cannot take (twiml for a provider that does not
  // run TwiML). OK otherwise. Pure.
  virtual absl::Status CheckStartCall(const config::TenantConfig& tenant,
                                      const v1::StartCallRequest& request) const = 0;

  // True when a Dial that returned kUnavailable may be sent again: the provider applies a
  // repeat once (e.g. an idempotency key sent with the create). False when it might dial twice.
  virtual bool dial_retryable() const = 0;

  // Places the call. The callback URLs carry request.call_id (webhook_urls.h, kCallIdParam).
  // Returns the ids (and status, when the provider tells one) of the accepted call.
  // Errors: kUnavailable (unreachable, timeout, 5xx, 429), kFailedPrecondition (the provider
  // refused; its message), kInvalidArgument (nothing sent), kInternal (an unreadable answer).
  virtual absl::StatusOr<CallUpdate> Dial(const DialRequest& request) const = 0;

  // OK when this provider can end a live call through its API, else kFailedPrecondition with
  // the reason, e.g. "<provider> offers no API to end a call in progress". Pure.
  virtual absl::Status CheckHangup(const v1::Call& call) const = 0;

  // Ends one live leg (`leg`: the call as recorded, with its provider ids and last status).
  // Safe to repeat (e.g. an idempotency key derived from leg.call_id()). Returns what the provider
  // answered, or nullopt when it says the call is already over (its final webhook brings the
  // outcome). Errors as Dial.
  virtual absl::StatusOr<std::optional<CallUpdate>> Hangup(const config::TenantConfig& tenant,
                                                           const v1::Call& leg) const = 0;
};

// ---------------------------------------------------------------------------------------------
// Adapter side: verifying and reading webhooks.

// What the adapter knows when it builds a handler: the whole configuration (each handler picks
// its tenants and secrets from it) and the URL providers reach the adapter at.
struct WebhookContext {
  const config::Config* config = nullptr;  // outlives the handler
  std::string public_url;                  // scheme://host[:port], no trailing slash
};

// A webhook request after its handler looked at it once. The router carries it out: answers
// kRespond at once, or makes the daemon call and answers from the daemon's reply.
struct WebhookOutcome {
  enum class Action {
    kRespond,        // answer `response` now; the daemon is not called
    kReport,         // ReportProviderEvent(report); `response` is the answer once it is acked
    kStartInbound,   // StartInboundCall(start_inbound); the clone flow renders the answer
    kCloneProgress,  // GetCloneProgress(clone_progress); the clone flow renders the answer
  };
  Action action = Action::kRespond;
  http::Response response;
  // kRespond refusing the request because its signature or webhook token is missing or wrong
  // (403): counted in callcontrol_adapter_signature_failures_total.
  bool verification_failed = false;
  std::string tenant_id;  // once the tenant is known
  const char* what = "";  // for logs, a literal: "<provider> status callback"
  std::string call_ref;   // for logs: "call_sid=CA…" (never a secret)
  internal::v1::ReportProviderEventRequest report;
  internal::v1::StartInboundCallRequest start_inbound;
  internal::v1::GetCloneProgressRequest clone_progress;
  int64_t clone_attempt = 1;  // kCloneProgress: the redirect's attempt number (>= 1)
};

// The webhooks of one provider, for all tenants. Handle() runs on the HTTP server's io threads:
// it must not block (no I/O; verification and parsing are CPU only). Thread-safe: immutable
// after construction.
class WebhookHandler {
 public:
  virtual ~WebhookHandler() = default;

  // The actions this provider serves under /webhooks/{provider}/{tenant}/, in a fixed order; ""
  // for a provider served at /webhooks/{provider}/{tenant} itself. Metrics label each route by
  // route_label(i).
  virtual const std::vector<std::string>& actions() const = 0;
  // The `route` label of action i ("status", "webhook" for the "" action, …).
  virtual std::string_view route_label(size_t i) const = 0;
  // For people (webhook-adapter --help): how the webhooks are verified and with which of the
  // tenant's settings (e.g. the signature header and the config key of its secret); "" untold.
  virtual std::string_view verification() const { return {}; }
  // The largest body action `action_index` takes, in bytes; the adapter answers a larger one
  // 413 before Handle (its HTTP server caps every body at kMaxWebhookBodyBytes, 1 MiB). 64 KiB
  // by default: provider form posts are a few KiB.
  virtual size_t max_body_bytes(size_t /*action_index*/) const { return 64 * 1024; }

  // Verifies and reads a request to action `action_index` (an index into actions()) of
  // `tenant_id` (a view into request.path). Refusals answer with kRespond: 404 unknown tenant
  // (or one without this provider's secrets), 405 not POST, 403 failed verification
  // (verification_failed), 400 a body or field that cannot be read, each with a plain-text
  // reason; the refusal is logged here (never a secret).
  virtual WebhookOutcome Handle(size_t action_index, std::string_view tenant_id,
                                const http::Request& request) const = 0;
};

// ---------------------------------------------------------------------------------------------
// The plug-in.

class Provider {
 public:
  virtual ~Provider() = default;

  virtual v1::Provider id() const = 0;
  // The registry name: the tenant's "provider" word, its config block key, its webhook path
  // segment and its metrics label (lowercase, e.g. "acme-voice").
  virtual std::string_view name() const = 0;
  // The name shown to people (e.g. "Acme Voice").
  virtual std::string_view display_name() const = 0;

  // How config reads this provider's block of a tenant (common/config/config.h).
  virtual const config::ProviderConfigSpec& config_spec() const = 0;

  // The id that names one call of this provider in its webhooks and REST API (e.g. a call sid;
  // where a call has legs, the id of one leg, never that of a session the legs share),
  // or "" when `ids` has none; and that field's name, for messages ("call_sid").
  virtual const std::string& PrimaryId(const v1::ProviderIds& ids) const = 0;
  virtual std::string_view primary_id_name() const = 0;

  // The daemon's client for this provider (one per daemon, shared by the provider workers);
  // nullptr for a provider without one.
  virtual std::unique_ptr<CallClient> NewCallClient() const { return nullptr; }
  // The adapter's handler for this provider's webhooks; nullptr for a provider without one.
  virtual std::unique_ptr<WebhookHandler> NewWebhookHandler(
      const WebhookContext& /*context*/) const {
    return nullptr;
  }
};

}  // namespace callcontrol::providers
