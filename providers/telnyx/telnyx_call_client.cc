#include "providers/telnyx/telnyx_call_client.h"

#include <string>
#include <utility>

#include "providers/telnyx/telnyx_account.h"
#include "providers/webhook_urls.h"

namespace callcontrol::telnyx {
namespace {

absl::StatusOr<const TelnyxAccount*> Account(const config::TenantConfig& tenant) {
  const TelnyxAccount* account = AccountOf(tenant);
  if (account == nullptr) {
    return absl::FailedPreconditionError("tenant " + tenant.id + " has no telnyx block");
  }
  return account;
}

}  // namespace

TelnyxCallClient::TelnyxCallClient(std::unique_ptr<const providers::TelnyxClient> rest)
    : rest_(std::move(rest)) {}

absl::Status TelnyxCallClient::CheckStartCall(const config::TenantConfig& tenant,
                                              const v1::StartCallRequest& request) const {
  if (!request.twiml().empty()) {
    return absl::InvalidArgumentError("twiml is for Twilio tenants; tenant " + tenant.id +
                                      " places calls through Telnyx");
  }
  return absl::OkStatus();
}

absl::StatusOr<providers::CallUpdate> TelnyxCallClient::Dial(
    const providers::DialRequest& request) const {
  auto account = Account(*request.tenant);
  if (!account.ok()) return account.status();
  providers::TelnyxDial dial;
  dial.to = request.to;
  dial.from = request.from;
  // The call id rides in client_state, which Telnyx echoes inside every signed webhook of the
  // call, so webhooks that overtake the dial response still find the call. Not in the URL: its
  // query is not signed, and the adapter never takes a call from it.
  dial.webhook_url = providers::WebhookUrl(request.public_url, "telnyx", request.tenant->id, "");
  dial.command_id = "dial-" + request.call_id;
  dial.client_state = request.call_id;
  auto ids = rest_->Dial(**account, dial);
  if (!ids.ok()) return ids.status();
  providers::CallUpdate update;
  update.provider_ids.set_call_control_id(ids->call_control_id);
  update.provider_ids.set_call_leg_id(ids->call_leg_id);
  update.provider_ids.set_call_session_id(ids->call_session_id);
  return update;
}

absl::Status TelnyxCallClient::CheckHangup(const v1::Call& call) const {
  if (call.provider_ids().call_control_id().empty()) {
    return absl::FailedPreconditionError(
        "call " + call.call_id() +
        " has no call_control_id yet (Telnyx has not accepted it); retry shortly");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<providers::CallUpdate>> TelnyxCallClient::Hangup(
    const config::TenantConfig& tenant, const v1::Call& leg) const {
  auto account = Account(tenant);
  if (!account.ok()) return account.status();
  bool already_ended = false;
  // One command_id per leg: Telnyx applies a repeat (a retry, or another HangupCall) once.
  absl::Status status = rest_->Hangup(**account, leg.provider_ids().call_control_id(),
                                      "hangup-" + leg.call_id(), &already_ended);
  if (!status.ok()) return status;
  if (already_ended) return std::nullopt;
  return providers::CallUpdate{};
}

}  // namespace callcontrol::telnyx
