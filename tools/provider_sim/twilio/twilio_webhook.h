// Twilio status and recording status callbacks as the simulator sends them: form parameters,
// signed with X-Twilio-Signature (https://www.twilio.com/docs/usage/webhooks/webhooks-security)
// and carrying I-Twilio-Idempotency-Token. CallEngine builds them; WebhookSender renders each
// attempt through BuildTwilioCallbackRequest.
#pragma once

#include <string>

#include "common/http/form.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// One Twilio callback, as given at create.
struct TwilioCallback {
  std::string url;     // the StatusCallback (or RecordingStatusCallback) URL exactly as given
  std::string method;  // "POST" (form body) or "GET" (params appended to the query)
  http::FormParams params;
  std::string auth_token;         // signs X-Twilio-Signature; never logged
  std::string idempotency_token;  // I-Twilio-Idempotency-Token: one per callback, kept on retries
};

// The HTTP request that carries `callback`: URL (with params appended for GET), body and the
// headers Twilio sends (X-Twilio-Signature over the exact URL + sorted params for POST, or over
// the full URL with nothing appended for GET; I-Twilio-Idempotency-Token; Content-Type for POST;
// User-Agent TwilioProxy/1.1).
WebhookRequest BuildTwilioCallbackRequest(const TwilioCallback& callback);

}  // namespace callcontrol::provider_sim
