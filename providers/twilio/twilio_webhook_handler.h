// The adapter's handler for Twilio's webhooks: call status callbacks
// (https://www.twilio.com/docs/voice/api/call-resource#statuscallback), recording status
// callbacks (https://www.twilio.com/docs/voice/api/recording#recordingstatuscallback), the
// incoming-call webhook of a number's voice URL (https://www.twilio.com/docs/voice/twiml#request-
// parameters) and the clone flow's redirect loop, all form POSTs signed with X-Twilio-Signature
// (twilio_signature.h, https://www.twilio.com/docs/usage/security#validating-requests).
// Thread-safe: immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/http/form.h"
#include "common/http/http_server.h"
#include "providers/provider.h"

namespace callcontrol::twilio {

// The body of a successful answer to a status or recording callback: empty TwiML (text/xml).
inline constexpr std::string_view kEmptyTwiml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

// The actions, in actions() order; each is also its metrics route label.
inline constexpr std::string_view kStatusAction = "status";
inline constexpr std::string_view kRecordingAction = "recording";
inline constexpr std::string_view kVoiceAction = "voice";
inline constexpr std::string_view kCloneStatusAction = "clone-status";

// Routes (POST /webhooks/twilio/{tenant}/{action}). Every one first checks, in order: 404
// "unknown tenant" for a tenant without a "twilio" block with a non-empty auth_token (an empty
// one would let anyone sign); 405 not POST; 400 for a Content-Type other than
// application/x-www-form-urlencoded, a malformed form body or a malformed query string; 403
// "missing X-Twilio-Signature" / "invalid X-Twilio-Signature" (verification_failed) unless the
// header signs context.public_url + the request target exactly as received with the tenant's
// auth_token. Then:
//   status[?call_id=<call id>]     kReport of ParseTwilioStatusCallback (400 with the parser's
//        message when it refuses), answered 200 kEmptyTwiml (text/xml) once acknowledged;
//        call_ref "call_sid=<CallSid>".
//   recording[?call_id=<call id>]  likewise with ParseTwilioRecordingCallback; call_ref
//        "call_sid=<CallSid> recording_sid=<RecordingSid>".
//   voice                          400 "missing CallSid" without one; else kStartInbound
//        {tenant, TWILIO, CallSid, From, To, CallStatus}; call_ref "call_sid=<CallSid>".
//   clone-status?call_id=<call id>&attempt=<n>  400 "missing call_id" without call_id, 400
//        "attempt must be a positive integer" (absent = 1); else kCloneProgress {tenant,
//        call_id} with clone_attempt n; call_ref "call_id=<call id, 64 bytes at most>".
// The clone flow's answers to voice and clone-status are rendered by the adapter.
class TwilioWebhookHandler final : public providers::WebhookHandler {
 public:
  explicit TwilioWebhookHandler(const providers::WebhookContext& context);

  const std::vector<std::string>& actions() const override { return actions_; }
  std::string_view route_label(size_t i) const override { return actions_[i]; }
  std::string_view verification() const override;
  providers::WebhookOutcome Handle(size_t action_index, std::string_view tenant_id,
                                   const http::Request& request) const override;

 private:
  // The request after the checks every route makes (the comment above).
  struct Checked {
    http::FormParams form;
    http::FormParams query;
  };
  // Returns nullopt and fills `checked` when the request passes, else the refusal.
  std::optional<providers::WebhookOutcome> Check(const char* what, std::string_view tenant_id,
                                                 const http::Request& request,
                                                 Checked* checked) const;

  const std::string public_url_;
  const std::vector<std::string> actions_ = {
      std::string(kStatusAction), std::string(kRecordingAction), std::string(kVoiceAction),
      std::string(kCloneStatusAction)};
  // Tenant id -> Twilio auth token (a secret: never logged).
  absl::flat_hash_map<std::string, std::string> auth_tokens_;
};

}  // namespace callcontrol::twilio
