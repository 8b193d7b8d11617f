// The daemon's CallClient for Twilio (providers/provider.h): places calls with Create Call and
// ends them by updating the Call resource's Status
// (https://www.twilio.com/docs/voice/api/call-resource). Wraps TwilioClient (twilio_client.h);
// blocking, thread-safe, secrets never logged.
#pragma once

#include <memory>
#include <optional>

#include "providers/provider.h"
#include "providers/twilio/twilio_client.h"

namespace callcontrol::twilio {

class TwilioCallClient final : public providers::CallClient {
 public:
  // `rest` does the HTTP; TwilioClient::Options{} in the daemon.
  explicit TwilioCallClient(std::unique_ptr<const providers::TwilioClient> rest);

  // OK: Twilio runs TwiML and takes every StartCall field.
  absl::Status CheckStartCall(const config::TenantConfig& tenant,
                              const v1::StartCallRequest& request) const override;

  // False: Twilio's create is not idempotent, so a dial that may have reached Twilio is sent once.
  bool dial_retryable() const override { return false; }

  // POST .../Calls.json with To, From, Twiml, StatusCallback
  // {public_url}/webhooks/twilio/{tenant}/status?call_id={call_id} and, when the tenant's block
  // has "record", Record=true with RecordingStatusCallback .../recording?call_id={call_id}.
  // Returns call_sid and the status of the new call. Errors: TwilioClient's;
  // kFailedPrecondition when the tenant has no "twilio" block.
  absl::StatusOr<providers::CallUpdate> Dial(const providers::DialRequest& request) const override;

  // kFailedPrecondition "call X has no provider id yet (the provider has not accepted it); retry
  // shortly" while the call has no call_sid; OK otherwise.
  absl::Status CheckHangup(const v1::Call& call) const override;

  // Status=completed for a call seen IN_PROGRESS, else Status=canceled; when Twilio answers
  // `canceled` with an in-progress call (it was answered meanwhile and canceled does nothing to
  // an answered call, twilio-python #10), sends Status=completed too. Returns the status Twilio
  // answered; nullopt for Twilio error 21220 (the call is not in progress: it already ended, its
  // final status callback brings the outcome). Errors: TwilioClient's.
  absl::StatusOr<std::optional<providers::CallUpdate>> Hangup(const config::TenantConfig& tenant,
                                                              const v1::Call& leg) const override;

 private:
  const std::unique_ptr<const providers::TwilioClient> rest_;
};

}  // namespace callcontrol::twilio
