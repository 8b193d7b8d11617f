#include "providers/twilio/twilio_call_client.h"

#include <string>
#include <utility>

#include "providers/twilio/twilio_account.h"
#include "providers/twilio/twilio_status.h"
#include "providers/webhook_urls.h"

namespace callcontrol::twilio {
namespace {

constexpr std::string_view kName = "twilio";

absl::StatusOr<const TwilioAccount*> Account(const config::TenantConfig& tenant) {
  const TwilioAccount* account = AccountOf(tenant);
  if (account == nullptr) {
    return absl::FailedPreconditionError("tenant " + tenant.id + " has no twilio block");
  }
  return account;
}

providers::CallUpdate UpdateOf(const providers::TwilioCall& call) {
  providers::CallUpdate update;
  update.provider_ids.set_call_sid(call.sid);
  update.status = NormalizeCallStatus(call.status);
  update.provider_status = call.status;
  update.duration_seconds = call.duration_seconds;
  return update;
}

}  // namespace

TwilioCallClient::TwilioCallClient(std::unique_ptr<const providers::TwilioClient> rest)
    : rest_(std::move(rest)) {}

absl::Status TwilioCallClient::CheckStartCall(const config::TenantConfig& /*tenant*/,
                                              const v1::StartCallRequest& /*request*/) const {
  return absl::OkStatus();
}

absl::StatusOr<providers::CallUpdate> TwilioCallClient::Dial(
    const providers::DialRequest& request) const {
  auto account = Account(*request.tenant);
  if (!account.ok()) return account.status();
  providers::TwilioCreateCall create;
  create.to = request.to;
  create.from = request.from;
  create.twiml = request.twiml;
  // The call id rides in the callback URL, so callbacks that overtake this response still find
  // the call.
  const http::FormParams query = {{std::string(providers::kCallIdParam), request.call_id}};
  create.status_callback =
      providers::WebhookUrl(request.public_url, kName, request.tenant->id, "status", query);
  if ((*account)->record) {
    create.record = true;
    create.recording_status_callback =
        providers::WebhookUrl(request.public_url, kName, request.tenant->id, "recording", query);
  }
  auto created = rest_->CreateCall(**account, create);
  if (!created.ok()) return created.status();
  providers::CallUpdate update = UpdateOf(*created);
  update.duration_seconds = -1;  // a new call has talked no time
  return update;
}

absl::Status TwilioCallClient::CheckHangup(const v1::Call& call) const {
  if (call.provider_ids().call_sid().empty()) {
    return absl::FailedPreconditionError(
        "call " + call.call_id() +
        " has no provider id yet (the provider has not accepted it); retry shortly");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<providers::CallUpdate>> TwilioCallClient::Hangup(
    const config::TenantConfig& tenant, const v1::Call& leg) const {
  auto account = Account(tenant);
  if (!account.ok()) return account.status();
  const std::string& call_sid = leg.provider_ids().call_sid();
  // `completed` hangs up an answered call; `canceled` ends a queued or ringing one and is
  // ignored by an answered call, so switch if it was answered meanwhile.
  const bool answered = leg.status() == v1::CALL_STATUS_IN_PROGRESS;
  auto result = rest_->UpdateCallStatus(**account, call_sid, answered ? "completed" : "canceled");
  if (result.ok() && !answered && result->status == "in-progress") {
    result = rest_->UpdateCallStatus(**account, call_sid, "completed");
  }
  if (!result.ok()) {
    if (providers::TwilioErrorCode(result.status()) == providers::kTwilioCallNotInProgress) {
      return std::nullopt;  // already over at Twilio; its final status callback tells how
    }
    return result.status();
  }
  return UpdateOf(*result);
}

}  // namespace callcontrol::twilio
