// Routes the adapter's HTTP requests: provider webhooks (verify the signature or token, parse,
// report to the daemon, answer once the daemon has answered), the liveness probe and the
// Prometheus metrics. Called by the HTTP server on its io threads; never blocks.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "common/config/config.h"
#include "common/http/form.h"
#include "common/http/http_server.h"
#include "webhook_adapter/adapter_metrics.h"
#include "webhook_adapter/daemon_client.h"

namespace callcontrol::webhook_adapter {

// The body of a successful answer to a Twilio status callback: empty TwiML.
inline constexpr std::string_view kEmptyTwiml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

// The HTTP status the adapter answers a webhook with when the daemon answered `code`: OK -> 200;
// UNAVAILABLE, DEADLINE_EXCEEDED -> 503 (the provider retries); INVALID_ARGUMENT -> 400;
// NOT_FOUND -> 404; anything else (UNAUTHENTICATED included: a misconfigured adapter) -> 500.
int HttpStatusForDaemonCode(absl::StatusCode code);

// The body of a successful answer to a Telnyx webhook (any 2xx will do; Telnyx ignores it).
inline constexpr std::string_view kTelnyxAck = "{}";

// The body of a successful answer to an Exotel or Bolna webhook (any 2xx will do).
inline constexpr std::string_view kJsonAck = "{}";

// Where Exotel and Bolna webhooks carry the tenant's webhook token: this header, or else the
// `token` query parameter of the URL configured at the provider (Exotel and Bolna cannot add
// headers, so the URL is the usual place).
inline constexpr std::string_view kWebhookTokenHeader = "X-Webhook-Token";
inline constexpr std::string_view kWebhookTokenParam = "token";

// Routes:
//   POST /webhooks/twilio/{tenant}/status  Twilio call status callback. 404 unknown tenant (or
//        one without a Twilio auth token), 405 not POST, 400 not a form / bad form / bad field,
//        403 missing or bad X-Twilio-Signature (the daemon is not called), else the daemon's
//        answer (HttpStatusForDaemonCode) with kEmptyTwiml as text/xml on success.
//   POST /webhooks/twilio/{tenant}/recording[?call_id=<call id>]  Twilio recording status
//        callback (twilio::ParseTwilioRecordingCallback): checked and answered exactly like
//        /status.
//   POST /webhooks/twilio/{tenant}/voice  Twilio's incoming-call webhook (the number's voice
//        URL). Checked like /status (404, 405, 400, 403 before the daemon is called); 400 without
//        a CallSid. Then StartInboundCall (TWILIO, CallSid, From, To, CallStatus); a daemon error
//        gets HttpStatusForDaemonCode (503 while it is unreachable, so Twilio plays its fallback
//        URL). On success, text/xml TwiML (webhook_adapter/twiml/twiml_writer.h):
//        - clone flow on (tenant clone.enabled and the daemon returned a clone job): Greeting
//          (greeting audio or text, hold music or a pause of poll_interval_seconds) redirecting to
//          {public_url}/webhooks/twilio/{tenant}/clone-status?call_id=<call id>&attempt=1;
//        - clone flow off: ConnectStream to clone.agent_stream_url with the parameters call_id,
//          tenant_id and (if configured) voice_id = clone.default_voice_id, but no token (the
//          daemon issues agent tokens only for clone jobs); with no agent_stream_url configured,
//          Failure(clone.failure_message).
//   POST /webhooks/twilio/{tenant}/clone-status?call_id=<call id>&attempt=<n>  The redirect loop
//        of the clone flow. Checked like /status; 400 without call_id or with an attempt that is
//        not a positive integer (absent = 1). Then GetCloneProgress(tenant, call_id) and, as
//        text/xml TwiML with 200:
//        - PENDING or PROCESSING before the job's deadline: Hold redirecting to the same URL
//          with attempt=n+1 (without a deadline in the job: while n * poll_interval_seconds <
//          max_wait_seconds);
//        - COMPLETED: ConnectStream to agent_stream_url with call_id, tenant_id, voice_id and
//          token = the response's agent_token (never a configured secret);
//        - FAILED, TIMED_OUT, CANCELED, or still waiting at/after the deadline: the failure
//          policy. hangup -> Failure(failure_message); connect_default_voice -> ConnectStream
//          with the response's voice_id and agent_token, or Failure(failure_message) when the
//          daemon gave no token (or no agent_stream_url is configured);
//        - NOT_FOUND or INVALID_ARGUMENT from the daemon (unknown call, another tenant's call):
//          Failure(failure_message) with a warning, since Twilio must get valid TwiML.
//        Other daemon errors: HttpStatusForDaemonCode.
//   POST /webhooks/telnyx/{tenant}[?call_id=<call id>]  Telnyx Call Control webhook. 404 unknown
//        tenant or one without a "telnyx" block, 405 not POST; then the signature, checked first
//        over the raw body (telnyx::VerifyWebhookSignature with the tenant's public key and
//        webhook_tolerance_seconds): 403 with the reason when a header is missing, the signature
//        does not verify or the timestamp is outside the replay window (the daemon is not
//        called); 500 if the configured public key is unusable; then 400 for a non-JSON
//        Content-Type, a malformed query or an invalid body (telnyx::ParseTelnyxWebhook); 200
//        kTelnyxAck at once, without calling the daemon, for an event that is not a call-state
//        event (telnyx::IsCallStateEvent); else the daemon's answer (HttpStatusForDaemonCode)
//        with kTelnyxAck as application/json on success.
//   POST /webhooks/exotel/{tenant}/status?token=<webhook token>[&call_id=<call id>]  Exotel
//        status callback, form or JSON body (exotel::ParseExotelStatusCallback).
//   POST /webhooks/bolna/{tenant}?token=<webhook token>[&call_id=<call id>]  Bolna execution
//        webhook, JSON body (bolna::ParseBolnaExecution).
//        Both: 404 unknown tenant or one without a webhook_token, 405 not POST; 403 when the
//        token (kWebhookTokenHeader if sent, else the kWebhookTokenParam query parameter) is
//        missing or is not the tenant's webhook_token (SHA-256 digests compared in constant
//        time; the daemon is not called; the token is never logged); 400 for a Content-Type
//        that is neither form nor JSON (Bolna: not JSON), a malformed query or an invalid body;
//        else the daemon's answer (HttpStatusForDaemonCode) with kJsonAck as application/json on
//        success.
//   GET  /healthz  200 {"status":"ok","daemon":"<channel state>"}; never fails because of the
//        daemon.
//   GET  /metrics  200, the AdapterMetrics in the Prometheus text format (kPrometheusContentType).
//   anything else  404.
// When the daemon refuses the adapter's credential (UNAUTHENTICATED: config.daemon
// .internal_api_key differs between the two processes) a webhook gets 500 and an error is
// logged. Every /webhooks/ request is counted in the AdapterMetrics.
// Thread-safe: immutable after construction (but for its metrics, which are thread-safe);
// `daemon` must outlive it.
class WebhookRouter {
 public:
  // `public_url`: the scheme://host[:port] providers reach the adapter at (no trailing slash);
  // Twilio signatures are checked against public_url + the request target as received.
  WebhookRouter(const config::Config& config, std::string public_url, DaemonClient* daemon);

  // The http::Handler: answers through `respond`, now or from the daemon call's callback.
  void Handle(http::Request&& request, http::Responder respond) const;

  // The metrics the router records (served at /metrics).
  AdapterMetrics& metrics() const { return *metrics_; }

 private:
  using TokenDigest = std::array<unsigned char, 32>;  // SHA-256

  // `tenant_id` points into request.path.
  void HandleTwilioStatus(std::string_view tenant_id, const http::Request& request,
                          http::Responder respond) const;
  void HandleTwilioRecording(std::string_view tenant_id, const http::Request& request,
                             http::Responder respond) const;
  void HandleTwilioVoice(std::string_view tenant_id, const http::Request& request,
                         http::Responder respond) const;
  void HandleTwilioCloneStatus(std::string_view tenant_id, const http::Request& request,
                               http::Responder respond) const;
  void HandleTelnyx(std::string_view tenant_id, const http::Request& request,
                    http::Responder respond) const;
  void HandleExotelStatus(std::string_view tenant_id, const http::Request& request,
                          http::Responder respond) const;
  void HandleBolna(std::string_view tenant_id, const http::Request& request,
                   http::Responder respond) const;
  void HandleHealth(const http::Request& request, const http::Responder& respond) const;
  void HandleMetrics(const http::Request& request, const http::Responder& respond) const;
  // The checks every Twilio route makes: tenant, method, form body and query, X-Twilio-Signature.
  // On success fills `form` and `query` and returns the tenant id; else answers (404, 405, 400 or
  // 403, logging `what`) and returns nullopt.
  std::optional<std::string> CheckTwilioRequest(const char* what, std::string_view tenant_view,
                                                const http::Request& request,
                                                const http::Responder& respond,
                                                http::FormParams* form,
                                                http::FormParams* query) const;
  // The checks of the token-authenticated routes (Exotel, Bolna): tenant, method, token, query.
  // On success fills `query` and returns the tenant id; else answers (404, 405, 403 or 400,
  // logging `what`) and returns nullopt.
  std::optional<std::string> CheckTokenRequest(const char* what, AdapterMetrics::Provider provider,
                                               std::string_view tenant_view,
                                               const http::Request& request,
                                               const http::Responder& respond,
                                               http::FormParams* query) const;
  // Reports `report` to the daemon and answers `success` once it acknowledged, else the status
  // HttpStatusForDaemonCode gives, logging `what` (a string literal, e.g. "telnyx webhook"), the
  // tenant and `call_ref` (e.g. "call_sid=CA...").
  void ForwardToDaemon(const char* what, std::string tenant_id, std::string call_ref,
                       internal::v1::ReportProviderEventRequest report, http::Response success,
                       http::Responder respond) const;

  // The TwiML side of a tenant's clone flow (config::CloneFlow without its secrets).
  struct CloneTwiml {
    bool enabled = false;
    std::string greeting_text;
    std::string greeting_audio_url;
    std::string hold_music_url;
    std::string agent_stream_url;
    int64_t max_wait_seconds = 0;
    int64_t poll_interval_seconds = 0;
    config::CloneFlow::OnFailure on_failure = config::CloneFlow::OnFailure::kHangup;
    std::string failure_message;
    std::string default_voice_id;
  };

  // {public_url}/webhooks/twilio/{tenant}/clone-status?call_id=<call id>&attempt=<attempt>.
  std::string CloneStatusUrl(std::string_view tenant_id, std::string_view call_id,
                             int64_t attempt) const;

  struct TelnyxTenant {
    std::string public_key;  // base64 Ed25519 public key
    absl::Duration tolerance;
  };

  const std::string public_url_;
  DaemonClient* const daemon_;
  const std::unique_ptr<AdapterMetrics> metrics_;
  // Tenant id -> Twilio auth token (a secret: never logged).
  absl::flat_hash_map<std::string, std::string> twilio_auth_tokens_;
  // Tenant id -> its clone flow's TwiML settings, for the tenants in twilio_auth_tokens_.
  absl::flat_hash_map<std::string, CloneTwiml> clone_flows_;
  // Tenant id -> Telnyx webhook verification settings.
  absl::flat_hash_map<std::string, TelnyxTenant> telnyx_tenants_;
  // Tenant id -> SHA-256 of its webhook_token, for tenants that have one.
  absl::flat_hash_map<std::string, TokenDigest> webhook_token_digests_;
};

}  // namespace callcontrol::webhook_adapter
