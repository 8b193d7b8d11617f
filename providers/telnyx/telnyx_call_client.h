// The daemon's CallClient for Telnyx (providers/provider.h): places and ends calls through Call
// Control v2 (https://developers.telnyx.com/docs/voice/programmable-voice/sending-commands).
// Wraps TelnyxClient (telnyx_client.h); blocking, thread-safe, the API key never logged.
#pragma once

#include <memory>
#include <optional>

#include "providers/provider.h"
#include "providers/telnyx/telnyx_client.h"

namespace callcontrol::telnyx {

class TelnyxCallClient final : public providers::CallClient {
 public:
  // `rest` does the HTTP; TelnyxClient::Options{} in the daemon.
  explicit TelnyxCallClient(std::unique_ptr<const providers::TelnyxClient> rest);

  // kInvalidArgument "twiml is for Twilio tenants; tenant X places calls through Telnyx" when
  // the request carries TwiML (Telnyx runs none); OK otherwise.
  absl::Status CheckStartCall(const config::TenantConfig& tenant,
                              const v1::StartCallRequest& request) const override;

  // True: the dial carries command_id "dial-" + call_id, which Telnyx applies once.
  bool dial_retryable() const override { return true; }

  // POST /v2/calls with webhook_url {public_url}/webhooks/telnyx/{tenant}?call_id={call_id},
  // command_id "dial-" + call_id and client_state call_id (Telnyx echoes it in every webhook).
  // Returns the leg's call_control_id, call_leg_id and call_session_id (no status: the webhooks
  // tell it). Errors: TelnyxClient's; kFailedPrecondition when the tenant has no "telnyx" block.
  absl::StatusOr<providers::CallUpdate> Dial(const providers::DialRequest& request) const override;

  // kFailedPrecondition "call X has no call_control_id yet (Telnyx has not accepted it); retry
  // shortly" while the call has no call_control_id; OK otherwise.
  absl::Status CheckHangup(const v1::Call& call) const override;

  // POST /v2/calls/{call_control_id}/actions/hangup with command_id "hangup-" + leg.call_id(),
  // so a retry or a repeated HangupCall is applied once. Returns an update without news (the
  // call.hangup webhook brings the outcome), or nullopt when Telnyx says the call already ended
  // (error 90018). Errors: TelnyxClient's; kFailedPrecondition when the tenant has no "telnyx"
  // block.
  absl::StatusOr<std::optional<providers::CallUpdate>> Hangup(const config::TenantConfig& tenant,
                                                              const v1::Call& leg) const override;

 private:
  const std::unique_ptr<const providers::TelnyxClient> rest_;
};

}  // namespace callcontrol::telnyx
