// What every provider's WebhookHandler (provider.h) shares: the plain-text answers and refusals
// (each refusal logged on the "webhook" logger, never with a secret), the media-type check, and
// the webhook-token check of the providers that do not sign their webhooks (a tenant-wide
// "webhook_token", common/config/config.h). Thread-safe (pure functions; WebhookTokens is
// immutable after construction).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "common/config/config.h"
#include "common/http/form.h"
#include "common/http/http_server.h"
#include "common/sha256.h"
#include "providers/provider.h"
#include "spdlog/spdlog.h"

namespace callcontrol::providers {

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
inline constexpr std::string_view kJsonContentType = "application/json";

// The body of JsonAck(): a 2xx is all the token-authenticated providers look at.
inline constexpr std::string_view kJsonAck = "{}";

// Where a webhook of a provider that does not sign carries the tenant's webhook token: this
// header, or else the `token` query parameter of the URL configured at the provider (such
// providers cannot add headers, so the URL is the usual place).
inline constexpr std::string_view kWebhookTokenHeader = "X-Webhook-Token";
inline constexpr std::string_view kWebhookTokenParam = "token";

// The adapter's "webhook" logger (common/logging.h).
spdlog::logger& WebhookLog();

// `status` with `body` as text/plain; charset=utf-8.
http::Response TextResponse(int status, std::string body);
// 405 "method not allowed\n" with `Allow: <allow>`.
http::Response MethodNotAllowed(std::string_view allow);
// 200 kJsonAck as application/json.
http::Response JsonAck();

// True when the Content-Type's media type (before any ';' parameters, trimmed, any case) is
// `media_type`.
bool HasMediaType(std::string_view content_type, std::string_view media_type);

// kRespond outcomes. `what` is the handler's literal for logs (e.g. "<provider> status callback").
// Answers `response` as it is.
WebhookOutcome Respond(const char* what, std::string_view tenant_id, http::Response response);
// 404 "unknown tenant\n" (a tenant not configured, or without this provider's secrets). Not
// logged.
WebhookOutcome UnknownTenant(const char* what);
// 403 "<reason>\n" with verification_failed (the router counts it); logged as a warning
// "<what> rejected: <reason> tenant=<id> path=<path>". `reason` must not hold a secret.
WebhookOutcome RefuseUnverified(const char* what, std::string_view reason,
                                std::string_view tenant_id, const http::Request& request);
// 400 "<status.message()>\n" for content that cannot be read; logged at info
// "<what> rejected: <message> tenant=<id>".
WebhookOutcome RejectMalformed(const char* what, const absl::Status& status,
                               std::string_view tenant_id);
// kReport: ReportProviderEvent(report), answered `success` once the daemon acknowledged it.
// `call_ref` is for logs ("call_sid=CA…").
WebhookOutcome Report(const char* what, std::string_view tenant_id, std::string call_ref,
                      internal::v1::ReportProviderEventRequest report, http::Response success);

// The webhook tokens of a configuration: every tenant with a non-empty "webhook_token" (an empty
// token would admit anyone, so such a tenant is unknown here), kept as SHA-256 digests
// (common/sha256.h).
class WebhookTokens {
 public:
  explicit WebhookTokens(const config::Config& config);

  // The checks a token-authenticated route makes, in order: tenant (404), POST (405), the token
  // (kWebhookTokenHeader if sent, else the kWebhookTokenParam query parameter; a malformed query
  // carries none): missing -> 403 "missing webhook token", not the tenant's -> 403 "invalid
  // webhook token" (digests compared with CRYPTO_memcmp, so timing does not reveal the token; the
  // token is never logged), then the query (400 "malformed query string").
  // Returns nullopt and fills `query` when the request passes, else the refusal (RefuseUnverified
  // for a 403).
  std::optional<WebhookOutcome> Check(const char* what, std::string_view tenant_id,
                                      const http::Request& request, http::FormParams* query) const;

 private:
  absl::flat_hash_map<std::string, Sha256Digest> digests_;  // tenant id -> SHA-256 of its token
};

}  // namespace callcontrol::providers
