// The adapter's handler for Telnyx's webhooks: the Call Control events Telnyx POSTs to a call's
// webhook_url (https://developers.telnyx.com/docs/voice/programmable-voice/receiving-webhooks),
// signed with Ed25519 (telnyx_signature.h) and read by ParseTelnyxWebhook (telnyx_event.h).
// Thread-safe: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "providers/provider.h"

namespace callcontrol::telnyx {

// The body of a successful answer to a Telnyx webhook (any 2xx will do; Telnyx ignores it).
inline constexpr std::string_view kTelnyxAck = "{}";

// Route (one action, "", served at the tenant itself; metrics route label "webhook"):
//   POST /webhooks/telnyx/{tenant}[?call_id=<call id>]
//     404 "unknown tenant" for a tenant without a "telnyx" block with a public_key; 405 not
//     POST; then the signature, checked first over the raw body (VerifyWebhookSignature with the
//     tenant's public_key and webhook_tolerance_seconds): 403 with the reason when a header is
//     missing, the signature does not verify or the timestamp is outside the replay window
//     (verification_failed); 500 "webhook verification misconfigured" when the configured key
//     is unusable (logged as an error); then 400 for a non-JSON Content-Type, a malformed query
//     or an invalid body; kRespond 200 kTelnyxAck (application/json) at once for an event that
//     is not a call-state event (IsCallStateEvent); else kReport of ParseTelnyxWebhook(tenant,
//     call_id, body), answered 200 kTelnyxAck once the daemon acknowledged it (call_ref
//     "call_control_id=<id> event_id=<data.id>").
class TelnyxWebhookHandler final : public providers::WebhookHandler {
 public:
  explicit TelnyxWebhookHandler(const providers::WebhookContext& context);

  const std::vector<std::string>& actions() const override { return actions_; }
  std::string_view route_label(size_t /*i*/) const override { return "webhook"; }
  std::string_view verification() const override;
  // Telnyx JSON events are a few KiB; 256 KiB leaves room.
  size_t max_body_bytes(size_t /*action_index*/) const override { return 256 * 1024; }
  providers::WebhookOutcome Handle(size_t action_index, std::string_view tenant_id,
                                   const http::Request& request) const override;

 private:
  struct Tenant {
    std::string public_key;  // base64 Ed25519 public key
    absl::Duration tolerance;
  };

  const std::vector<std::string> actions_ = {""};
  // Tenant id -> its webhook verification settings.
  absl::flat_hash_map<std::string, Tenant> tenants_;
};

}  // namespace callcontrol::telnyx
