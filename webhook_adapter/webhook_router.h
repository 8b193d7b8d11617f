// Routes the adapter's HTTP requests: provider webhooks (verify the signature, parse, report to
// the daemon, answer once the daemon has answered) and the liveness probe. Called by the HTTP
// server on its io threads; never blocks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/config/config.h"
#include "common/http/http_server.h"
#include "webhook_adapter/daemon_client.h"

namespace callcontrol::webhook_adapter {

// The body of a successful answer to a Twilio status callback: empty TwiML.
inline constexpr std::string_view kEmptyTwiml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

// The HTTP status the adapter answers a webhook with when the daemon answered `code`: OK -> 200;
// UNAVAILABLE, DEADLINE_EXCEEDED -> 503 (the provider retries); INVALID_ARGUMENT -> 400;
// NOT_FOUND -> 404; anything else -> 500.
int HttpStatusForDaemonCode(absl::StatusCode code);

// Routes:
//   POST /webhooks/twilio/{tenant}/status  Twilio call status callback. 404 unknown tenant, 405
//        not POST, 400 not a form / bad form / bad field, 403 missing or bad X-Twilio-Signature
//        (the daemon is not called), else the daemon's answer (HttpStatusForDaemonCode) with
//        kEmptyTwiml as text/xml on success.
//   GET  /healthz  200 {"status":"ok","daemon":"<channel state>"}; never fails because of the
//        daemon.
//   anything else  404.
// Thread-safe: immutable after construction; `daemon` must outlive it.
class WebhookRouter {
 public:
  // `public_url`: the scheme://host[:port] providers reach the adapter at (no trailing slash);
  // Twilio signatures are checked against public_url + the request target as received.
  WebhookRouter(const config::Config& config, std::string public_url, DaemonClient* daemon);

  // The http::Handler: answers through `respond`, now or from the daemon call's callback.
  void Handle(http::Request&& request, http::Responder respond) const;

 private:
  // `tenant_id` points into request.path.
  void HandleTwilioStatus(std::string_view tenant_id, const http::Request& request,
                          http::Responder respond) const;
  void HandleHealth(const http::Request& request, const http::Responder& respond) const;

  const std::string public_url_;
  DaemonClient* const daemon_;
  // Tenant id -> Twilio auth token (a secret: never logged).
  absl::flat_hash_map<std::string, std::string> twilio_auth_tokens_;
};

}  // namespace callcontrol::webhook_adapter
