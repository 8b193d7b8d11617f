// The daemon's CallClient for Exotel (providers/provider.h): places calls through the Connect API
// (https://developer.exotel.com/api/make-a-call-api); Exotel has no API to end a call in
// progress. Wraps ExotelClient (exotel_client.h); blocking, thread-safe, secrets never logged.
#pragma once

#include <memory>
#include <optional>

#include "providers/exotel/exotel_client.h"
#include "providers/provider.h"

namespace callcontrol::exotel {

class ExotelCallClient final : public providers::CallClient {
 public:
  // `rest` does the HTTP; ExotelClient::Options{} in the daemon.
  explicit ExotelCallClient(std::unique_ptr<const providers::ExotelClient> rest);

  // OK (the call runs the account's flow; StartCall's twiml is not sent).
  absl::Status CheckStartCall(const config::TenantConfig& tenant,
                              const v1::StartCallRequest& request) const override;

  // False: Connect is not idempotent.
  bool dial_retryable() const override { return false; }

  // POST .../Calls/connect.json with From = the number called (Exotel dials `From` and connects
  // it to the flow), StatusCallback
  // {public_url}/webhooks/exotel/{tenant}/status?call_id={call_id}&token={webhook_token} (Exotel
  // does not sign callbacks: the adapter requires the tenant's token, so the URL carries it; never
  // logged) and CustomField = call_id. Returns the call_sid (no status: Exotel's "in-progress"
  // here only means the request is being worked on). Errors: ExotelClient's; kFailedPrecondition
  // when the tenant has no "exotel" block.
  absl::StatusOr<providers::CallUpdate> Dial(const providers::DialRequest& request) const override;

  // Always kFailedPrecondition "Exotel offers no API to end a call in progress (call X)".
  absl::Status CheckHangup(const v1::Call& call) const override;

  // Never sends anything: kFailedPrecondition as CheckHangup.
  absl::StatusOr<std::optional<providers::CallUpdate>> Hangup(const config::TenantConfig& tenant,
                                                              const v1::Call& leg) const override;

 private:
  const std::unique_ptr<const providers::ExotelClient> rest_;
};

}  // namespace callcontrol::exotel
